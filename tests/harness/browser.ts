import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run when missing); null when absent and infra is not required. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;

export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface RenderResult {
  consoleErrors: string[];
  externalRequests: string[];
  headings: string[];
  screenshot: Buffer;
}

/** Opens HTML from a data-less file:// load, records console errors and any request that would leave the page. */
export async function renderHtml(browser: Browser, html: string): Promise<RenderResult> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('http://planexe.test/')) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    externalRequests.push(url);
    return route.abort();
  });
  await page.goto('http://planexe.test/report.html', { waitUntil: 'load' });
  const headings = await page.$$eval('h1, h2, summary', (els) => els.map((e) => (e.textContent ?? '').trim()));
  const screenshot = await page.screenshot({ fullPage: false });
  await page.close();
  return { consoleErrors, externalRequests, headings, screenshot };
}
