/**
 * The report in a real browser (Debian's Chromium through playwright-core): it loads without console errors or
 * any request leaving the page, shows every section of spec §7, and its interactive Gantt chart works offline.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Browser } from 'playwright-core';
import { sampleFromSchema, seedOf } from '@planexe/testing';
import { CHROMIUM, launchChromium, renderHtml } from '../../../tests/harness/browser.ts';
import { PIPELINE_STEPS } from '../src/pipeline/graph.ts';
import { runInMemory } from '../src/pipeline/memoryRun.ts';
import { SECTIONS } from './pipelineSpec.ts';

const required = process.env.PLANEXE_TEST_REQUIRE_INFRA === '1';
const TITLES = SECTIONS.map((s) => s.replace('&amp;', '&'));
const VIEWPORT = { width: 1280, height: 900 };

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe.skipIf(!CHROMIUM && !required)('report in headless Chromium', () => {
  let browser: Browser;
  let html: string;
  let schedule: string;
  beforeAll(async () => {
    // eight items per list: a realistic size (8 work packages with their tasks, 8 documents, …)
    const answer = (schema: z.ZodType, messages: { content: string }[]) =>
      sampleFromSchema(z.toJSONSchema(schema) as Record<string, unknown>, { seed: seedOf(messages.map((m) => m.content).join('\n')), defaultArrayItems: 8 });
    const run = await runInMemory(PIPELINE_STEPS, { prompt: 'Open a bakery with a café corner in Bergen <img src=x onerror=alert(1)>', answer });
    html = run.files.get('report.html') as string;
    schedule = run.files.get('schedule_gantt_dhtmlx.html') as string;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads without console errors or outside requests, with every section heading', async () => {
    const r = await renderHtml(browser, html);
    expect(r.consoleErrors).toEqual([]);
    expect(r.externalRequests).toEqual([]);
    // each section's <summary> and the <h2> inside it, in spec order
    expect(r.headings.filter((h) => TITLES.includes(h))).toEqual(TITLES.flatMap((t) => [t, t]));
    const png = join(mkdtempSync(join(tmpdir(), 'planexe-report-')), 'report.png');
    writeFileSync(png, r.screenshot);
    expect(pngSize(r.screenshot)).toEqual(VIEWPORT);
    expect(r.screenshot.length).toBeGreaterThan(20_000); // a blank page compresses to a few KB
  });

  it('lays out the title, contents and first section on screen; every heading is visible; the Gantt is interactive', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      if (route.request().url() === 'http://planexe.test/report.html') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      outside.push(route.request().url());
      return route.abort();
    });
    await page.goto('http://planexe.test/report.html', { waitUntil: 'load' });

    const onScreen = async (selector: string) => {
      const box = await page.locator(selector).first().boundingBox();
      expect(box, selector).not.toBeNull();
      return box as { x: number; y: number; width: number; height: number };
    };
    const h1 = await onScreen('header h1');
    const toc = await onScreen('nav.toc');
    const first = await onScreen('section#executive-summary summary');
    expect(h1.y).toBeLessThan(toc.y);
    expect(toc.y).toBeLessThan(first.y);
    expect(first.y + first.height).toBeLessThanOrEqual(VIEWPORT.height);
    expect(toc.x + toc.width).toBeLessThanOrEqual(VIEWPORT.width);
    expect(await page.locator('nav.toc a').count()).toBe(TITLES.length);
    for (const [i, title] of TITLES.entries()) {
      const heading = page.locator('main section summary h2').nth(i);
      expect(await heading.textContent()).toBe(title);
      expect(await heading.isVisible(), title).toBe(true);
    }
    // the injected markup in the prompt is text, not an element
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('#initial-prompt-vetted pre').textContent()).toContain('<img src=x onerror=alert(1)>');

    // the Gantt chart was redrawn by the inline script; work packages collapse, zoom changes the chart width
    const gantt = page.locator('#gantt .gantt-view svg');
    const rows = () => page.locator('#gantt .gantt-view svg g[data-id]').count();
    const all = await rows();
    expect(all).toBeGreaterThan(8);
    await page.locator('#gantt button[data-gantt="collapse"]').click();
    expect(await rows()).toBe(8);
    await page.locator('#gantt svg g.wp').first().click();
    expect(await rows()).toBeGreaterThan(8);
    await page.locator('#gantt button[data-gantt="expand"]').click();
    expect(await rows()).toBe(all);
    const width = Number(await gantt.getAttribute('width'));
    await page.locator('#gantt button[data-gantt="zoom-in"]').click();
    expect(Number(await page.locator('#gantt .gantt-view svg').getAttribute('width'))).toBeGreaterThan(width);
    expect(await page.locator('#gantt .gantt-view svg rect title').first().textContent()).toMatch(/\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);

    // collapsible sections; the contents link opens a collapsed section
    await page.locator('button[data-action="collapse"]').click();
    expect(await page.locator('#premortem .content').isVisible()).toBe(false);
    await page.locator('nav.toc a[href="#premortem"]').click();
    expect(await page.locator('#premortem .content').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('the standalone schedule page is interactive and self-contained too', async () => {
    const r = await renderHtml(browser, schedule);
    expect(r.consoleErrors).toEqual([]);
    expect(r.externalRequests).toEqual([]);
    expect(pngSize(r.screenshot)).toEqual(VIEWPORT);
  });
});
