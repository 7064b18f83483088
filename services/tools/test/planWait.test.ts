/**
 * plan_status `wait_seconds` on the real tools service over Postgres, NATS and Redis, reached through the gateway
 * with the real SDK clients: woken by the bus, held without a database connection, counted against the SSE caps
 * (with subscriptions/listen streams), freed when the caller leaves, progress notifications on 2026-07-28, and a
 * wait longer than the gateway's upstream timeout. No latency is asserted here (the benchmark's wait-wake-p99 is).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { anonymousCaller } from '@planexe/auth';
import { loadServiceConfig } from '@planexe/config';
import { createPostgresDb, insertPlan, loadSnapshot, type DbHandle } from '@planexe/db';
import { BullMqQueue, NatsBus, RedisLimits } from '@planexe/infra';
import { createTestPostgresDb, natsAvailable, NATS_URL, postgresAvailable, redisAvailable, REDIS_URL } from '@planexe/testing/infra';
import { silentLogger } from '@planexe/telemetry';
import { connectClient, connectModernClient, payloadOf, TEST_SECRET } from '../../../tests/harness/testServer.ts';
import { INTERNAL_SECRET, listen, startGateway, type Listening } from '../../../tests/harness/distributedServer.ts';
import { createToolsApp } from '../src/app.ts';
import { toolsFromConfig, type ConfiguredTools } from '../src/configuredService.ts';
import type { PlanWaits } from '../src/planWait.ts';

const infra = (await Promise.all([postgresAvailable(), redisAvailable(), natsAvailable()])).every(Boolean);
const V = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
};

const until = async (what: string, cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!infra)('plan_status wait_seconds (tools on Postgres, NATS, Redis, behind the gateway)', () => {
  const prefix = `planexe-t-${randomBytes(5).toString('hex')}`;
  let dbh: DbHandle & { url: string };
  let toolsDb: DbHandle;
  let bus: NatsBus;
  let worker: NatsBus;
  let limits: RedisLimits;
  let queue: BullMqQueue;
  let tools: ConfiguredTools;
  let toolsHttp: Listening;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let waits: PlanWaits;

  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    // one pooled connection: a wait that held it would stall every other call
    toolsDb = createPostgresDb(dbh.url, { max: 1 });
    bus = await NatsBus.connect({ servers: NATS_URL, namespace: prefix });
    worker = await NatsBus.connect({ servers: NATS_URL, namespace: prefix }); // the publisher, as a worker process is
    limits = new RedisLimits({ connection: REDIS_URL, keyPrefix: `${prefix}:limits:` });
    queue = new BullMqQueue({ connection: REDIS_URL, prefix });
    const config = loadServiceConfig('tools', {
      PLANEXE_API_KEY_SECRET: TEST_SECRET,
      PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET,
      PLANEXE_SSE_MAX_CONNECTIONS: '2',
      PLANEXE_MCP_REQUIRE_AUTH: 'false', // the gateway's setting too; the conformance fixtures require it
    });
    // the conformance fixtures announce list changes, so a subscriptions/listen stream stays open (our own surface
    // announces none: its listen streams end after the acknowledgement)
    tools = await toolsFromConfig(config, { db: toolsDb.db, queue, bus, limits, log: silentLogger(), env: { PLANEXE_CONFORMANCE_FIXTURES: '1' } });
    waits = tools.service.registry.deps.waits!;
    toolsHttp = await listen(createToolsApp(tools.service, { internalSecret: INTERNAL_SECRET, log: silentLogger() }).callback());
    // an upstream timeout shorter than the waits below: a wait must outlast it
    gw = await startGateway(dbh, { tools: toolsHttp.url, env: { PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS: '2' } });
  });
  afterAll(async () => {
    await gw?.close();
    await toolsHttp?.close();
    await tools?.close();
    await queue?.close();
    await limits?.close();
    await worker?.close();
    await bus?.close();
    await toolsDb?.close();
    await dbh?.close();
  });

  /** A processing plan of the anonymous caller (the gateway's caller without a key). */
  async function processingPlan(): Promise<string> {
    const row = await insertPlan(dbh.db, { prompt: 'wait test', userId: anonymousCaller().owner, apiKeyId: null, parameters: {} });
    await dbh.db
      .updateTable('plans')
      .set({ state: 'processing', steps_total: 10, steps_completed: 1, current_step: 'step one', state_version: sql`state_version + 1` as any })
      .where('id', '=', row.id)
      .execute();
    return row.id;
  }

  /** What a worker does after a step: write the row, then publish its snapshot. */
  async function progress(planId: string, set: Record<string, unknown>): Promise<void> {
    await dbh.db.updateTable('plans').set({ ...set, state_version: sql`state_version + 1` as any }).where('id', '=', planId).execute();
    await worker.publishSnapshot((await loadSnapshot(dbh.db, planId))!);
  }

  const rest = (args: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${gw.url}/mcp/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tool: 'plan_status', arguments: args }), signal });
  const restPayload = async (res: Response) => JSON.parse(((await res.json()) as any).content[0].text);

  it('returns as soon as the progress changes, with the new state (2026 client)', async () => {
    const id = await processingPlan();
    const client = await connectModernClient(gw.mcpUrl);
    try {
      const t0 = Date.now();
      const call = client.callTool({ name: 'plan_status', arguments: { plan_id: id, wait_seconds: 50 } });
      await until('the wait to hold', () => waits.waiting === 1);
      await progress(id, { steps_completed: 2, current_step: 'step two', progress_percentage: 20 });
      const p = payloadOf(await call);
      expect(p.steps_completed).toBe(2);
      expect(p.current_step).toBe('step two');
      expect(Date.now() - t0).toBeLessThan(40_000); // woken, not timed out
    } finally {
      await client.close();
    }
  });

  it('returns when the time is up, with the state unchanged, through a gateway whose upstream timeout is shorter', async () => {
    const id = await processingPlan();
    const t0 = Date.now();
    const call = rest({ plan_id: id, wait_seconds: 3 });
    await until('the wait to hold', () => waits.waiting === 1);
    // a write that changes nothing the payload shows (a heartbeat) does not end the wait
    await progress(id, { heartbeat_at: sql`now()` });
    const res = await call;
    expect(res.status).toBe(200);
    const p = await restPayload(res);
    expect(p.state).toBe('processing');
    expect(p.steps_completed).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_900);
    expect(waits.size).toBe(0);
  });

  it('answers at once for an ended plan, and refuses an out-of-range wait with a contract error', async () => {
    const id = await processingPlan();
    await progress(id, { state: 'completed', progress_percentage: 100 });
    const done = await restPayload(await rest({ plan_id: id, wait_seconds: 50 }));
    expect(done.state).toBe('completed');
    for (const bad of [51, -1, 2.5, 'soon']) {
      const res = await rest({ plan_id: id, wait_seconds: bad });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('INVALID_ARGUMENT');
      expect(body.error.message).toContain('wait_seconds');
      // a value that is there but wrong is described as such, never as a missing field
      expect(body.error.message).not.toContain('missing');
    }
  });

  it('holds no database connection while it waits (a pool of one still serves other calls)', async () => {
    const [a, b] = [await processingPlan(), await processingPlan()];
    let settled = false;
    const call = rest({ plan_id: a, wait_seconds: 30 }).then((r) => ((settled = true), r));
    await until('the wait to hold', () => waits.waiting === 1);
    const admin = new pg.Client({ connectionString: dbh.url });
    await admin.connect();
    try {
      const busy = await admin.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
      );
      expect(busy.rows[0].n).toBe(0);
    } finally {
      await admin.end();
    }
    const other = await restPayload(await rest({ plan_id: b }));
    expect(other.plan_id).toBe(b);
    expect(settled).toBe(false); // answered while the wait still holds
    await progress(a, { steps_completed: 5 });
    expect((await restPayload(await call)).steps_completed).toBe(5);
  });

  it('counts waits and subscriptions/listen streams against the per-address cap; a caller that leaves frees its slot', async () => {
    const [a, b] = [await processingPlan(), await processingPlan()];
    const leave = new AbortController();
    const first = rest({ plan_id: a, wait_seconds: 30 }, leave.signal).catch((e: Error) => e);
    const listenAbort = new AbortController();
    const listen = await fetch(gw.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: ENVELOPE } }),
      signal: listenAbort.signal,
    });
    expect(listen.headers.get('content-type')).toMatch(/text\/event-stream/);
    await until('the wait to hold', () => waits.waiting === 1);

    // the cap (2 per address) is full: one wait and one listen stream
    const refused = await restPayload(await rest({ plan_id: b, wait_seconds: 5 }));
    expect(refused.error.code).toBe('SSE_CONNECTION_LIMIT');
    expect(refused.error.message).toMatch(/Per-client .*limit \(2\)/);
    // a plan the caller cannot see is not found whatever the cap: the answer does not depend on held waits
    const unknown = await restPayload(await rest({ plan_id: '00000000-0000-4000-8000-000000000000', wait_seconds: 5 }));
    expect(unknown.error.code).toBe('PLAN_NOT_FOUND');
    const secondListen = await fetch(gw.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: ENVELOPE } }),
    });
    expect(secondListen.status).toBe(429);
    expect(((await secondListen.json()) as any).error.message).toMatch(/subscriptions\/listen refused/);
    // a plain plan_status (no wait) is never refused by the cap
    expect((await restPayload(await rest({ plan_id: b }))).state).toBe('processing');

    // the waiting caller goes away: its wait ends and its slot is free for the next one
    leave.abort();
    expect(await first).toBeInstanceOf(Error);
    await until('the abandoned wait to end', () => waits.size === 0);
    const next = rest({ plan_id: b, wait_seconds: 30 });
    await until('the next wait to hold', () => waits.waiting === 1);
    // the listen stream goes away too: its slot is freed (only the new wait holds one), so a second wait fits
    listenAbort.abort();
    let held = -1;
    await until('the listen slot to be released', () => {
      void limits.slotCount('sse:total').then((n) => (held = n));
      return held === 1;
    });
    const second = rest({ plan_id: a, wait_seconds: 30 });
    await until('both waits to hold', () => waits.waiting === 2);
    await progress(a, { steps_completed: 3 });
    expect((await restPayload(await second)).steps_completed).toBe(3);
    await progress(b, { steps_completed: 4 });
    const last = await restPayload(await next);
    expect(last, JSON.stringify(last)).toMatchObject({ steps_completed: 4 });
  });

  it('sends notifications/progress (steps done of total, current step) to a caller that passed a progressToken (2026)', async () => {
    const id = await processingPlan();
    const client = await connectModernClient(gw.mcpUrl);
    try {
      const seen: { progress: number; total?: number; message?: string }[] = [];
      const call = client.callTool({ name: 'plan_status', arguments: { plan_id: id, wait_seconds: 50 } }, { onprogress: (p) => void seen.push(p) });
      await until('the wait to hold', () => waits.waiting === 1);
      await until('the first notification', () => seen.length === 1);
      expect(seen[0]).toMatchObject({ progress: 1, total: 10, message: 'step one' });
      await progress(id, { steps_completed: 6, current_step: 'step six' });
      const p = payloadOf(await call);
      expect(p.steps_completed).toBe(6);
      expect(seen[1]).toMatchObject({ progress: 6, total: 10, message: 'step six' });
    } finally {
      await client.close();
    }
  });

  it('a 2025 client with a progressToken still gets its JSON answer when the wait is woken', async () => {
    const id = await processingPlan();
    const client = await connectClient(gw.mcpUrl);
    try {
      const call = client.callTool({ name: 'plan_status', arguments: { plan_id: id, wait_seconds: 50 } }, undefined, { onprogress: () => {} });
      await until('the wait to hold', () => waits.waiting === 1);
      await progress(id, { steps_completed: 7, current_step: 'step seven' });
      expect(payloadOf(await call)).toMatchObject({ steps_completed: 7, current_step: 'step seven' });
    } finally {
      await client.close();
    }
  });

  it('costs exactly one tool call of the rate budget', async () => {
    const id = await processingPlan();
    const remaining = (r: Response) => Number(r.headers.get('ratelimit-remaining'));
    const before = remaining(await rest({ plan_id: id }));
    const waited = await rest({ plan_id: id, wait_seconds: 1 });
    expect((await restPayload(waited)).state).toBe('processing');
    expect(before - remaining(waited)).toBe(1);
  });

  // last: draining is for good
  it('a draining server answers held waits at once with the state as it is, and new waits too', async () => {
    const id = await processingPlan();
    const held = rest({ plan_id: id, wait_seconds: 50 });
    await until('the wait to hold', () => waits.waiting === 1);
    tools.drain();
    expect(await restPayload(await held)).toMatchObject({ state: 'processing', steps_completed: 1 });
    expect(await restPayload(await rest({ plan_id: id, wait_seconds: 50 }))).toMatchObject({ state: 'processing' });
    expect(waits.size).toBe(0);
  });
});
