import { createHash, randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createTestPostgresDb } from '@planexe/testing/infra';
import { sql } from 'kysely';
import { claimRun, finishRun, insertPlan, persistStep, type Db, type DbHandle } from '@planexe/db';
import { memoryMember, userZip, zipStream } from '@planexe/artifact-sources';
import { planResourceUri } from '@planexe/contracts';
import { connectClient, connectModernClient, createUserWithKey, payloadOf, startTestServer, TEST_SECRET, type TestServer } from '../../../tests/harness/testServer.ts';

/**
 * A plan's files as MCP resources (spec/tools.md §12.3), through the real edge (auth on) on real Postgres, with the
 * SDK v2 client on 2026-07-28 and the SDK v1 client on 2025-11-25. The worker's writes are the worker's own
 * functions (claimRun, persistStep, finishRun), so "a file exists" means exactly what it means in production.
 */
const CAP = 65_536;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const progress = { percentage: 10, message: 'step', stepsCompleted: 1, stepsTotal: 10, currentStep: 'step' };

async function newPlan(db: Db, userId: string, prompt: string) {
  return insertPlan(db, { prompt, userId, apiKeyId: null, parameters: {} });
}

async function runStep(db: Db, plan: { id: string; attempt: number }, files: Record<string, Uint8Array>) {
  const k = { planId: plan.id, attempt: plan.attempt, workerId: 'w-test' };
  await claimRun(db, k, 'w-test', 600);
  await persistStep(db, k, 'step', files, progress, 'w-test');
  return k;
}

/** A plan file's URI (the first page of resources/list also leads with the plan view, ui://planexe/plan). */
const isPlanUri = (uri: string) => uri.startsWith('planexe://');

describe('plan resources (planexe://plans/…) on both protocol revisions, owner-scoped', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  let modern: ModernClient;
  let legacy: Client;
  let otherLegacy: Client;
  let running: { id: string; attempt: number };
  let done: { id: string; attempt: number };
  let bigZip: { id: string; attempt: number };
  let foreign: { id: string; attempt: number };
  const report = '<html><body><h1>Repair café</h1></body></html>';
  const smallZip: { bytes: Buffer } = { bytes: Buffer.alloc(0) };
  const large: { zip: Buffer; md: Buffer } = { zip: Buffer.alloc(0), md: Buffer.from('# Big\n' + 'x'.repeat(CAP + 10)) };
  const png = randomBytes(300);

  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    srv = await startTestServer(dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'true', PLANEXE_API_KEY_SECRET: TEST_SECRET, PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES: String(CAP) });
    const a = await createUserWithKey(srv.db);
    const b = await createUserWithKey(srv.db);
    // eleven older plans with a file each, so the caller's plans take two pages
    for (let i = 0; i < 11; i++) await runStep(srv.db, await newPlan(srv.db, a.user.id, `older plan ${i}`), { '001-plan_type.json': Buffer.from(`{"i":${i}}`) });
    bigZip = await newPlan(srv.db, a.user.id, 'a plan whose zip is beyond the cap');
    large.zip = await userZip(new Map([['noise.bin', randomBytes(CAP + 4096)]]));
    const kb = await runStep(srv.db, bigZip, { 'big.md': large.md });
    await finishRun(srv.db, kb, { state: 'completed', stepsTotal: 1 }, { reportHtml: report, zip: large.zip, activityOverview: null });
    done = await newPlan(srv.db, a.user.id, 'a completed plan');
    smallZip.bytes = await userZip(new Map([['001-plan_type.json', Buffer.from('{"type":"digital"}')]]));
    const kd = await runStep(srv.db, done, { '001-plan_type.json': Buffer.from('{"type":"digital"}'), 'chart.png': png });
    await finishRun(srv.db, kd, { state: 'completed', stepsTotal: 1 }, { reportHtml: report, zip: smallZip.bytes, activityOverview: null });
    running = await newPlan(srv.db, a.user.id, 'a plan still running');
    foreign = await newPlan(srv.db, b.user.id, "another user's plan");
    await runStep(srv.db, foreign, { '001-plan_type.json': Buffer.from('{"secret":true}') });
    modern = await connectModernClient(srv.mcpUrl, { headers: { 'x-api-key': a.key } });
    legacy = await connectClient(srv.mcpUrl, { 'x-api-key': a.key });
    otherLegacy = await connectClient(srv.mcpUrl, { 'x-api-key': b.key });
  }, 60_000);
  afterAll(async () => {
    for (const c of [modern, legacy, otherLegacy]) await c?.close();
    await srv?.close();
    await dbh?.close();
  });

  it('lists the three templates on both revisions', async () => {
    for (const c of [modern, legacy]) {
      const { resourceTemplates } = await c.listResourceTemplates();
      // the plan view's report template (ui://, an MCP App's) sits beside them
      expect(resourceTemplates.map((t) => t.uriTemplate).filter((u) => u.startsWith('planexe://'))).toEqual([
        'planexe://plans/{plan_id}/report.html',
        'planexe://plans/{plan_id}/run.zip',
        'planexe://plans/{plan_id}/files/{name}',
      ]);
    }
  });

  it("a running plan's intermediate file is listed and readable as soon as its step persisted it", async () => {
    const uri = planResourceUri(running.id, { kind: 'file', name: '002-premise.md' });
    await expect(modern.readResource({ uri })).rejects.toMatchObject({ code: -32602 });
    const premise = '# Premise\nA café that repairs things.';
    await runStep(srv.db, running, { '002-premise.md': Buffer.from(premise) });
    for (const c of [modern, legacy]) {
      const r = await c.readResource({ uri });
      expect(r.contents).toEqual([{ uri, mimeType: 'text/markdown', text: premise }]);
    }
    const { resources } = await modern.listResources();
    const mine = resources.filter((r) => r.uri.startsWith(`planexe://plans/${running.id}/`));
    // running: the file, but no report and no zip yet
    expect(mine.map((r) => r.name)).toEqual(['002-premise.md']);
    expect(mine[0]).toMatchObject({ mimeType: 'text/markdown', size: Buffer.byteLength(premise) });
    const report = await modern.readResource({ uri: planResourceUri(running.id, { kind: 'report' }) }).catch((e) => e);
    expect(report.code).toBe(-32602);
    expect(report.message).toContain('processing');
  });

  it('after completion: report.html as text/html, run.zip within the cap as an application/zip blob, a binary file as a blob', async () => {
    for (const c of [modern, legacy]) {
      const rep = await c.readResource({ uri: planResourceUri(done.id, { kind: 'report' }) });
      expect(rep.contents[0]).toMatchObject({ mimeType: 'text/html', text: report });
      const zip = await c.readResource({ uri: planResourceUri(done.id, { kind: 'zip' }) });
      expect(zip.contents[0].mimeType).toBe('application/zip');
      expect(Buffer.from((zip.contents[0] as any).blob, 'base64').equals(smallZip.bytes)).toBe(true);
      const img = await c.readResource({ uri: planResourceUri(done.id, { kind: 'file', name: 'chart.png' }) });
      expect(img.contents[0]).toMatchObject({ mimeType: 'image/png', blob: png.toString('base64') });
    }
    const listed = (await legacy.listResources()).resources.filter((r) => r.uri.startsWith(`planexe://plans/${done.id}/`)).map((r) => r.name);
    expect(listed).toEqual(['report.html', 'run.zip', '001-plan_type.json', 'chart.png']);
  });

  it('beyond the cap: the signed download URL (text/uri-list), which serves exactly the announced bytes', async () => {
    for (const c of [modern, legacy]) {
      const r = await c.readResource({ uri: planResourceUri(bigZip.id, { kind: 'zip' }) });
      const content = r.contents[0] as any;
      expect(content.mimeType).toBe('text/uri-list');
      expect(content.blob).toBeUndefined();
      const meta = content._meta['org.planexe/download'];
      expect(content.text).toBe(`${meta.download_url}\r\n`);
      expect(meta).toMatchObject({ size: large.zip.length, sha256: sha(large.zip), content_type: 'application/zip' });
      const res = await fetch(meta.download_url);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(sha(bytes)).toBe(sha(large.zip));
    }
    // an intermediate file beyond the cap points at the run's zip, which holds it
    const md = await modern.readResource({ uri: planResourceUri(bigZip.id, { kind: 'file', name: 'big.md' }) });
    const meta = (md.contents[0] as any)._meta['org.planexe/download'];
    expect(meta).toMatchObject({ size: large.md.length, sha256: sha(large.md), zip_entry: 'big.md' });
    expect(meta.download_url).toContain(`/${bigZip.id}/run.zip?token=`);
  });

  it("another user's plan is not found, exactly as a plan that does not exist, and is never listed", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const c of [modern, legacy]) {
      for (const kind of ['report', 'zip'] as const) {
        const theirs = await c.readResource({ uri: planResourceUri(foreign.id, { kind }) }).catch((e) => e);
        const nobody = await c.readResource({ uri: planResourceUri(missing, { kind }) }).catch((e) => e);
        expect(theirs.code).toBe(-32602);
        expect(theirs.message.replace(foreign.id, 'ID')).toBe(nobody.message.replace(missing, 'ID'));
      }
      const file = await c.readResource({ uri: planResourceUri(foreign.id, { kind: 'file', name: '001-plan_type.json' }) }).catch((e) => e);
      expect(file.code).toBe(-32602);
      // the v1 client prefixes "MCP error -32602: "; what the server said is the generic miss
      expect(file.message.replace(/^MCP error -32602: /, '')).toBe(`Resource not found: ${planResourceUri(foreign.id, { kind: 'file', name: '001-plan_type.json' })}`);
    }
    // the same answer plan_status gives: not found
    expect(payloadOf(await legacy.callTool({ name: 'plan_status', arguments: { plan_id: foreign.id } })).error.code).toBe('PLAN_NOT_FOUND');
    const all = (await modern.listResources()).resources;
    expect(all.some((r) => r.uri.includes(foreign.id))).toBe(false);
    // and the owner does see it
    const own = (await otherLegacy.listResources()).resources.map((r) => r.uri).filter(isPlanUri);
    expect(own).toEqual([planResourceUri(foreign.id, { kind: 'file', name: '001-plan_type.json' })]);
    expect((await otherLegacy.readResource({ uri: own[0] })).contents[0]).toMatchObject({ text: '{"secret":true}' });
  });

  it('pages through the caller\'s plans with an opaque cursor; a bad cursor is -32602', async () => {
    const first = await legacy.listResources();
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await legacy.listResources({ cursor: first.nextCursor });
    expect(second.nextCursor).toBeUndefined();
    const planIds = (r: { resources: { uri: string }[] }) => new Set(r.resources.filter((x) => isPlanUri(x.uri)).map((x) => x.uri.split('/')[3]));
    const p1 = planIds(first);
    const p2 = planIds(second);
    // 14 plans, 10 a page: the pages do not overlap and hold them all, newest first
    expect(p1.size).toBe(10);
    expect(p2.size).toBe(4);
    expect([...p1].some((id) => p2.has(id))).toBe(false);
    expect([...p1].slice(0, 3)).toEqual([running.id, done.id, bigZip.id]);
    // the v2 client walks every page itself: the same resources, in order
    const all = await modern.listResources();
    expect(all.resources.map((r) => r.uri)).toEqual([...first.resources, ...second.resources].map((r) => r.uri));
    for (const cursor of ['garbage', Buffer.from(JSON.stringify({ v: 1, after: foreign.id })).toString('base64url')]) {
      await expect(legacy.listResources({ cursor })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Invalid cursor') });
    }
  });

  it('a legacy row (files only in its zip snapshot): the entries are listed and read from the zip; the activity log never', async () => {
    const other = await createUserWithKey(srv.db);
    const legacyPlan = await newPlan(srv.db, other.user.id, 'a legacy plan');
    // userZip leaves the activity log out; a legacy snapshot may hold one, so this one is written member by member
    const chunks: Uint8Array[] = [];
    const members = [memoryMember('001-plan_type.json', Buffer.from('{"legacy":1}'), new Date()), memoryMember('track_activity.jsonl', Buffer.from('{"raw":1}'), new Date())];
    for await (const c of zipStream(members)) chunks.push(c);
    const legacyZip = Buffer.concat(chunks);
    await sql`update plans set state = 'completed', run_zip_snapshot = ${Buffer.from(legacyZip)}, run_artifact_layout_version = 1 where id = ${legacyPlan.id}`.execute(srv.db);
    const c = await connectClient(srv.mcpUrl, { 'x-api-key': other.key });
    try {
      const names = (await c.listResources()).resources.filter((r) => isPlanUri(r.uri)).map((r) => r.name);
      expect(names).toEqual(['report.html', 'run.zip', '001-plan_type.json']);
      const r = await c.readResource({ uri: planResourceUri(legacyPlan.id, { kind: 'file', name: '001-plan_type.json' }) });
      expect(r.contents[0]).toMatchObject({ mimeType: 'application/json', text: '{"legacy":1}' });
      const log = await c.readResource({ uri: planResourceUri(legacyPlan.id, { kind: 'file', name: 'track_activity.jsonl' }) }).catch((e) => e);
      expect(log.code).toBe(-32602);
    } finally {
      await c.close();
    }
  });

  it('a bad URI is a -32602 error, never a 500', async () => {
    for (const uri of [
      'planexe://plans/not-a-uuid/report.html',
      `planexe://plans/${done.id}/elsewhere.txt`,
      `planexe://plans/${done.id}/files/%ZZ`,
      `planexe://plans/${done.id}/files/..`,
      `planexe://plans/${done.id}/files/log.txt`,
      'https://example.com/x',
      '',
    ]) {
      const err = await modern.readResource({ uri }).catch((e) => e);
      expect(err.code, uri).toBe(-32602);
    }
  });

  it('2026-07-28: resources/list and resources/read are private and uncached, tools/list keeps its public hint', async () => {
    const raw = async (method: string, params: Record<string, unknown>) => {
      const res = await fetch(srv.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(await keyHeader()) },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method,
          params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' } } },
        }),
      });
      return ((await res.json()) as any).result;
    };
    const keyHeader = async () => ({ 'x-api-key': (await createUserWithKey(srv.db)).key });
    expect(await raw('resources/list', {})).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
    expect(await raw('tools/list', {})).toMatchObject({ ttlMs: 3_600_000, cacheScope: 'public' });
    expect(await raw('resources/templates/list', {})).toMatchObject({ ttlMs: 3_600_000, cacheScope: 'public' });
  });

  it('with auth on, resources/list needs a key; resources/templates/list does not', async () => {
    const post = (method: string) =>
      fetch(srv.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: {} }),
      }).then(async (r) => (await r.json()) as any);
    expect((await post('resources/list')).error.code).toBe(-32001);
    expect((await post('resources/templates/list')).result.resourceTemplates.filter((t: { uriTemplate: string }) => isPlanUri(t.uriTemplate))).toHaveLength(3);
  });
});
