/**
 * The plan view (an MCP App) in a real host: ext-apps' AppBridge on a plain page in headless Chromium, the SDK client
 * connected to the real server (standalone, in-process worker, fake LLM). The view follows a running plan, stops,
 * resumes, shows a failure and retries it, renders the finished report; it logs no error, breaks no CSP rule, makes
 * no request of its own, and axe-core finds no serious or critical problem. Screenshots go to
 * test-results/app-screenshots/ (1280 and 360 px, light and dark).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTestDb, dbKinds, REQUIRE_INFRA } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import type { DbHandle } from '@planexe/db';
import { startTestServer, connectClient, createUserWithKey, payloadOf, type TestServer } from '../harness/testServer.ts';
import { CHROMIUM, launchChromium } from '../harness/browser.ts';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';
import { hostCalls, hostLinks, maxStatusInFlight, openView, setTheme, type HostedView } from './hostPage.ts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

// page functions run in the browser, whose globals this Node program does not declare
declare const window: any;
declare const document: any;

const SHOTS = join(process.cwd(), 'test-results', 'app-screenshots');
const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axeViolations(v: HostedView): Promise<{ id: string; impact: string; nodes: number }[]> {
  const frame = v.frame();
  await frame.evaluate(await axeSource);
  const result = await frame.evaluate(() => (window as any).axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((x: any) => ({ id: x.id, impact: x.impact, nodes: x.nodes.length }));
}

/** Every view must end clean: no console error (CSP violations are console errors), no request of its own. */
function expectClean(v: HostedView): void {
  expect(v.consoleErrors).toEqual([]);
  expect(v.viewRequests).toEqual([]);
  expect(v.outsideRequests).toEqual([]);
}

const stepsDone = async (v: HostedView): Promise<number> => Number(/^(\d+) of/.exec((await v.view.locator('#steps').textContent()) ?? '')?.[1] ?? -1);

describe.skipIf(!CHROMIUM && !REQUIRE_INFRA)('plan view (MCP App) in a test host', () => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let srv: TestServer;
  let browser: Browser;
  let alice: { key: string };
  let bob: { key: string };
  let aliceClient: Client;
  const pages: Page[] = [];

  beforeAll(async () => {
    const [kind] = await dbKinds();
    dbh = await createTestDb(kind);
    fake = await startFakeLlm({ latencyMs: 5 });
    srv = await startTestServer(dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'true' }, { configDir: fakeProfileDir(fake, { luigiWorkers: 2 }), llmEnv: { FAKE_LLM_KEY: 'k' } });
    alice = await createUserWithKey(srv.db, 100);
    bob = await createUserWithKey(srv.db, 100);
    aliceClient = await connectClient(srv.mcpUrl, { 'X-API-Key': alice.key });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await aliceClient?.close();
    await srv?.close();
    await fake?.close();
    await dbh?.close();
  });

  const newPage = async (width = 1280) => {
    const p = await browser.newPage({ viewport: { width, height: 900 } });
    pages.push(p);
    return p;
  };
  const status = async (planId: string) => payloadOf(await aliceClient.callTool({ name: 'plan_status', arguments: { plan_id: planId } }));

  it('follows a running plan: progress advances, Stop stops it, Resume resumes it, the report renders when it completes', async () => {
    fake.setBehaviour({ latencyMs: 1_200 });
    const page = await newPage();
    const prompt = `A community bakery in Bergen with a café corner, opened within a year ${Date.now()}`;
    const v = await openView(page, srv.url, { apiKey: alice.key, tool: 'plan_create', args: { prompt } });
    expect(v.opened.resourceUri).toBe('ui://planexe/plan');
    expect(v.opened.mimeType).toBe('text/html;profile=mcp-app');
    expect(v.opened.bytes).toBeLessThanOrEqual(150 * 1024);
    const planId = v.opened.toolResult.structuredContent.plan_id as string;

    await expect.poll(() => v.view.locator('#prompt').textContent(), { timeout: 10_000 }).toBe(prompt);
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 15_000 }).toMatch(/Running|Waiting for a worker/);
    // progress advances as the worker runs it, seen by the view's own waits
    await expect.poll(() => stepsDone(v), { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await stepsDone(v);
    await expect.poll(() => stepsDone(v), { timeout: 45_000, interval: 500 }).toBeGreaterThan(first);
    expect(await v.view.locator('#recent li').count()).toBeGreaterThan(0);
    expect(await v.view.locator('#current').textContent()).not.toBe('—');
    await page.screenshot({ path: join(SHOTS, 'plan-running-1280-light.png') });

    await v.view.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 10_000 }).toBe('Stopped');
    expect((await status(planId)).state).toBe('stopped');
    await expect.poll(() => v.view.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);

    fake.setBehaviour({ latencyMs: 5 });
    await v.view.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 10_000 }).toMatch(/Running|Waiting for a worker|Completed/);
    await expect.poll(async () => (await status(planId)).state, { timeout: 90_000, interval: 500 }).toBe('completed');
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 40_000, interval: 500 }).toBe('Completed');
    // the report, read through the host, rendered in the view: its sections and the Gantt chart
    await expect.poll(() => v.view.locator('#report section').count(), { timeout: 20_000 }).toBeGreaterThan(10);
    expect(await v.view.locator('#report svg.gantt').count()).toBeGreaterThan(0);
    expect(await v.view.locator('#report script, #report iframe, #report [onclick], #report [style]').count()).toBe(0);
    await v.view.getByRole('link', { name: /Download the report/ }).click();
    await expect.poll(() => hostLinks(page)).toEqual([expect.stringContaining(`/download/${planId}/report.html?token=`)]);

    // one wait in flight at a time, every one with wait_seconds; everything went through the bridge
    const calls = await hostCalls(page);
    const statusCalls = calls.filter((c) => c.name === 'plan_status');
    expect(statusCalls.length).toBeGreaterThan(2);
    for (const c of statusCalls) expect(c.args).toEqual({ plan_id: planId, wait_seconds: 25 });
    expect(await maxStatusInFlight(page)).toBe(1);
    expect(calls.map((c) => c.name)).toEqual(expect.arrayContaining(['plan_stop', 'plan_resume', 'plan_file_info']));
    expect(await page.evaluate(() => (window as any).testHost.reads)).toEqual([`ui://planexe/plan/${planId}/report.html`]);

    // the completed view at both widths in both themes; axe-core clean in each
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await expect.poll(() => v.frame().evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(300);
        expect(await v.frame().evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await page.screenshot({ path: join(SHOTS, `plan-completed-${width}-${theme}.png`) });
        const serious = (await axeViolations(v)).filter((x) => x.impact === 'serious' || x.impact === 'critical');
        expect(serious).toEqual([]);
      }
    }
    expectClean(v);
  }, 240_000);

  it('shows a failed plan with its reason and what to do; Retry restarts it', async () => {
    fake.setBehaviour({ mode: '500', latencyMs: 5 });
    const created = payloadOf(await aliceClient.callTool({ name: 'plan_create', arguments: { prompt: `A plan that meets a broken model ${Date.now()}` } }));
    await expect.poll(async () => (await status(created.plan_id)).state, { timeout: 60_000, interval: 300 }).toBe('failed');
    fake.setBehaviour({ mode: 'ok', latencyMs: 5 });

    const page = await newPage(360);
    const v = await openView(page, srv.url, { apiKey: alice.key, tool: 'plan_status', args: { plan_id: created.plan_id }, theme: 'dark' });
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 10_000 }).toBe('Failed');
    const failure = v.view.getByRole('alert');
    await expect.poll(() => failure.textContent()).toContain('Reason: generation_error');
    expect(await failure.textContent()).toContain('Resume continues from the step that failed');
    await page.screenshot({ path: join(SHOTS, 'plan-failed-360-dark.png') });
    const serious = (await axeViolations(v)).filter((x) => x.impact === 'serious' || x.impact === 'critical');
    expect(serious).toEqual([]);

    // the host asks the user to confirm and the user says no: nothing happens, and the view says so
    await page.evaluate(() => window.testHost.decline(['plan_resume']));
    await v.view.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => v.view.locator('#notice').textContent(), { timeout: 10_000 }).toContain('Resuming did not happen: The user declined the call');
    expect((await status(created.plan_id)).state).toBe('failed');
    await page.evaluate(() => window.testHost.decline([]));

    await v.view.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => v.view.locator('#state').textContent(), { timeout: 10_000 }).toMatch(/Waiting for a worker|Running|Completed/);
    expect(['pending', 'processing', 'completed']).toContain((await status(created.plan_id)).state);
    expect((await hostCalls(page)).map((c) => c.name)).toEqual(expect.arrayContaining(['plan_resume', 'plan_retry']));
    expectClean(v);
  }, 120_000);

  it("shows not-found for another user's plan, and reads no report of it", async () => {
    const created = payloadOf(await aliceClient.callTool({ name: 'plan_create', arguments: { prompt: `Alice's private plan ${Date.now()}` } }));
    const page = await newPage(360);
    const v = await openView(page, srv.url, { apiKey: bob.key, tool: 'plan_status', args: { plan_id: created.plan_id } });
    await expect.poll(() => v.view.locator('#notice').textContent(), { timeout: 10_000 }).toContain(`Plan not found: ${created.plan_id}`);
    expect(await v.view.locator('#plan').isHidden()).toBe(true);
    // Bob's host cannot read Alice's report either
    const bobClient = await connectClient(srv.mcpUrl, { 'X-API-Key': bob.key });
    try {
      await expect(bobClient.readResource({ uri: `ui://planexe/plan/${created.plan_id}/report.html` })).rejects.toThrow(/not found/i);
    } finally {
      await bobClient.close();
    }
    expectClean(v);
  }, 60_000);
});
