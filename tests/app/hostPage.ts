/**
 * The test host page in Chromium: served on the server's own origin (so the SDK client in it needs no CORS), with
 * every request recorded; the view's frame must make none.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import type { Frame, FrameLocator, Page } from 'playwright-core';

// page functions run in the browser, whose globals this Node program does not declare
declare const window: any;

const HOST_DIR = new URL('./host/', import.meta.url);

let hostScript: Promise<string> | undefined;
/** host.ts bundled for the browser (ext-apps' AppBridge and the SDK client). */
function hostBundle(): Promise<string> {
  hostScript ??= build({
    entryPoints: [new URL('host.ts', HOST_DIR).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  }).then((r) => r.outputFiles[0].text);
  return hostScript;
}

export interface HostedView {
  page: Page;
  view: FrameLocator;
  frame(): Frame;
  consoleErrors: string[];
  /** Requests the view's frame made (none may leave it). */
  viewRequests: string[];
  /** Requests of the host page to anywhere but the server. */
  outsideRequests: string[];
  opened: { resourceUri: string; mimeType: string | undefined; bytes: number; toolResult: any };
}

export interface OpenViewOptions {
  apiKey: string;
  tool: string;
  args: Record<string, unknown>;
  theme?: 'light' | 'dark';
  width?: number;
}

export async function openView(page: Page, serverUrl: string, o: OpenViewOptions): Promise<HostedView> {
  const consoleErrors: string[] = [];
  const viewRequests: string[] = [];
  const outsideRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => {
    if (r.frame() !== page.mainFrame()) viewRequests.push(r.url());
  });
  const [html, script] = await Promise.all([readFile(new URL('index.html', HOST_DIR), 'utf8'), hostBundle()]);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${serverUrl}/__host/`) return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
    if (url === `${serverUrl}/__host/host.js`) return route.fulfill({ contentType: 'text/javascript', body: script });
    if (url.startsWith(`${serverUrl}/`)) return route.continue();
    outsideRequests.push(url);
    return route.abort();
  });
  await page.goto(`${serverUrl}/__host/`);
  await page.addScriptTag({ url: `${serverUrl}/__host/host.js`, type: 'module' });
  await page.waitForFunction(() => 'testHost' in window);
  const opened = await page.evaluate(
    (args) => (window as any).testHost.open(args),
    { apiKey: o.apiKey, tool: o.tool, args: o.args, theme: o.theme ?? 'light' },
  );
  const frame = () => {
    const f = page.frames().find((x) => x !== page.mainFrame());
    if (!f) throw new Error('the view frame is missing');
    return f;
  };
  return { page, view: page.frameLocator('iframe'), frame, consoleErrors, viewRequests, outsideRequests, opened };
}

export const hostCalls = (page: Page): Promise<{ name: string; args: Record<string, unknown>; start: number; end?: number }[]> =>
  page.evaluate(() => (window as any).testHost.calls);
export const hostLinks = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).testHost.links);
export const maxStatusInFlight = (page: Page): Promise<number> => page.evaluate(() => (window as any).testHost.maxStatusInFlight());
export const setTheme = (page: Page, theme: 'light' | 'dark') => page.evaluate((t) => (window as any).testHost.setTheme(t), theme);
