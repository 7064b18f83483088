/** spec/sse.md with a real EventSource client, on embedded adapters and on Postgres + NATS + Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combos, createInfra, createPlan, FAST, rawStream, setPlan, SseClient, startStreamServer, eventually, sleep, type Infra, type StreamServer } from './streamHarness.ts';

// standalone serves /sse through Koa middleware, the stream process through its node:http listener: test each
describe.each(await combos())('SSE /sse/plan/{id} (%s)', (combo) => {
  const mount = combo === 'embedded' ? 'koa' : 'node';
  let infra: Infra;
  let s: StreamServer;
  beforeAll(async () => {
    infra = await createInfra(combo);
    s = await startStreamServer(infra, FAST, undefined, mount);
  });
  afterAll(async () => {
    await s?.close();
    await infra?.close();
  });

  it('answers 200 with the SSE headers, and `retry: 5000` is the very first chunk', async () => {
    const id = await createPlan(infra.db);
    const r = await rawStream(s.planUrl(id));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['connection']).toBe('keep-alive');
    expect(r.headers['x-accel-buffering']).toBe('no');
    await eventually(() => r.text().includes('event: status'));
    expect(r.text().startsWith('retry: 5000\n\n')).toBe(true);
    // id (our addition) + event + one-line JSON in upstream's byte format
    expect(r.text()).toMatch(/\nid: 1\nevent: status\ndata: \{"plan_id": "[0-9a-f-]{36}", "state": "pending", "progress_percentage": 0\.0, "elapsed_sec": \d+\.\d\}\n\n$/);
    r.close();
  });

  it('processing 25 → 50 → completed gives status(25), status(50), complete(completed, 100); ids are state versions', async () => {
    const id = await createPlan(infra.db);
    await setPlan(infra.db, infra.bus, id, { state: 'processing', progress_percentage: 25 });
    const c = new SseClient(s.planUrl(id));
    await c.until((x) => x.of('status').length === 1);
    await setPlan(infra.db, infra.bus, id, { progress_percentage: 50 });
    await c.until((x) => x.of('status').length === 2);
    await setPlan(infra.db, infra.bus, id, { state: 'completed', progress_percentage: 90 });
    await c.ended();
    expect(c.types()).toEqual(['status', 'status', 'complete']);
    const [a, b, done] = c.events;
    expect(a.data).toEqual({ plan_id: id, state: 'processing', progress_percentage: 25, elapsed_sec: expect.any(Number) });
    expect(b.data.progress_percentage).toBe(50);
    expect(done.data).toEqual({ plan_id: id, state: 'completed', progress_percentage: 100, elapsed_sec: expect.any(Number) });
    expect([a.id, b.id, done.id]).toEqual(['2', '3', '4']);
  });

  it('identical snapshots 25,25,25,50,completed give exactly two status events', async () => {
    const id = await createPlan(infra.db);
    await setPlan(infra.db, infra.bus, id, { state: 'processing', progress_percentage: 25 });
    const c = new SseClient(s.planUrl(id));
    await c.until((x) => x.of('status').length === 1);
    for (const p of [25, 25, 50]) await setPlan(infra.db, infra.bus, id, { progress_percentage: p, progress_message: `at ${Math.random()}` });
    await c.until((x) => x.of('status').length === 2);
    await setPlan(infra.db, infra.bus, id, { state: 'completed' });
    await c.ended();
    expect(c.types()).toEqual(['status', 'status', 'complete']);
  });

  it('an already-failed plan yields one complete with state failed and upstream error object', async () => {
    const id = await createPlan(infra.db);
    await setPlan(infra.db, null, id, { state: 'failed', progress_percentage: 40, progress_message: '12 of 30' });
    const c = new SseClient(s.planUrl(id));
    await c.ended();
    expect(c.events.map((e) => e.data)).toEqual([
      { plan_id: id, state: 'failed', progress_percentage: 40, elapsed_sec: expect.any(Number), error: { code: 'generation_failed', message: '12 of 30' } },
    ]);
    const id2 = await createPlan(infra.db);
    await setPlan(infra.db, null, id2, { state: 'failed', progress_message: null });
    const c2 = new SseClient(s.planUrl(id2));
    await c2.ended();
    expect(c2.events[0].data.error).toEqual({ code: 'generation_failed', message: 'Plan generation failed.' });
  });

  it('a plan stopped mid-stream ends with complete(stopped) and no error member', async () => {
    const id = await createPlan(infra.db);
    const c = new SseClient(s.planUrl(id));
    await c.until((x) => x.of('status').length === 1);
    await setPlan(infra.db, infra.bus, id, { state: 'stopped', progress_percentage: 10 });
    await c.ended();
    expect(c.types()).toEqual(['status', 'complete']);
    expect(c.events[1].data).toEqual({ plan_id: id, state: 'stopped', progress_percentage: 10, elapsed_sec: expect.any(Number) });
  });

  it('an unknown plan yields exactly one event, error PLAN_NOT_FOUND; a non-UUID id is echoed verbatim', async () => {
    const missing = '0b8e2d1c-0000-4000-8000-000000000000';
    const c = new SseClient(s.planUrl(missing));
    await c.ended();
    expect(c.events.map((e) => [e.type, e.data])).toEqual([['error', { code: 'PLAN_NOT_FOUND', message: `Plan not found: ${missing}` }]]);
    const r = await rawStream(s.planUrl('not-a-uuid'));
    await r.done;
    expect(r.text()).toBe('retry: 5000\n\nevent: error\ndata: {"code": "PLAN_NOT_FOUND", "message": "Plan not found: not-a-uuid"}\n\n');
  });

  it('a reconnect with Last-Event-ID gets the state only when it is newer, and always the terminal complete', async () => {
    const id = await createPlan(infra.db);
    const v = await setPlan(infra.db, infra.bus, id, { state: 'processing', progress_percentage: 30 });
    const same = new SseClient(s.planUrl(id), { lastEventId: String(v) });
    const older = new SseClient(s.planUrl(id), { lastEventId: String(v - 1) });
    const garbage = new SseClient(s.planUrl(id), { lastEventId: 'x7' });
    await older.until((x) => x.of('status').length === 1);
    await garbage.until((x) => x.of('status').length === 1);
    await eventually(() => same.opens === 1);
    await sleep(300);
    expect(same.events).toEqual([]);
    await setPlan(infra.db, infra.bus, id, { progress_percentage: 60 });
    await same.until((x) => x.of('status').length === 1);
    expect(same.events[0].data.progress_percentage).toBe(60);
    const last = await setPlan(infra.db, infra.bus, id, { state: 'completed' });
    await same.ended();
    const late = new SseClient(s.planUrl(id), { lastEventId: String(last) });
    await late.ended();
    expect(late.events.map((e) => [e.type, e.id])).toEqual([['complete', String(last)]]);
    for (const c of [older, garbage]) c.close();
  });

  it('with a heartbeat interval of 0, repeated identical snapshots produce heartbeats (Z timestamps)', async () => {
    const s0 = await startStreamServer(infra, { ...FAST, heartbeatIntervalSeconds: 0, pollIntervalSeconds: 60 }, undefined, mount);
    try {
      const id = await createPlan(infra.db);
      const c = new SseClient(s0.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      await setPlan(infra.db, infra.bus, id, { progress_message: 'same state, new message' });
      await c.until((x) => x.of('heartbeat').length >= 1);
      expect(c.of('heartbeat')[0].data).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
      expect(c.of('status')).toHaveLength(1);
      c.close();
    } finally {
      await s0.close();
    }
  });

  it('sends a heartbeat after heartbeat-interval seconds of silence, keep-alive comments in between', async () => {
    const s1 = await startStreamServer(infra, { ...FAST, heartbeatIntervalSeconds: 1, keepAliveSeconds: 0.3 }, undefined, mount);
    try {
      const id = await createPlan(infra.db);
      const r = await rawStream(s1.planUrl(id));
      await eventually(() => r.text().includes('event: heartbeat'), 5_000, 'heartbeat');
      const t = r.text();
      expect(t.indexOf(': keep-alive\n\n')).toBeGreaterThan(t.indexOf('event: status'));
      expect(t.indexOf(': keep-alive\n\n')).toBeLessThan(t.indexOf('event: heartbeat'));
      r.close();
    } finally {
      await s1.close();
    }
  });

  it('ends with error SSE_TIMEOUT when the stream reaches its maximum duration', async () => {
    const s2 = await startStreamServer(infra, { ...FAST, maxDurationSeconds: 1 }, undefined, mount);
    try {
      const id = await createPlan(infra.db);
      const t0 = performance.now();
      const c = new SseClient(s2.planUrl(id));
      await c.ended(5_000);
      expect(c.types()).toEqual(['status', 'error']);
      expect(c.events[1].data).toEqual({ code: 'SSE_TIMEOUT', message: 'SSE stream timed out after 1 seconds' });
      expect(c.events[1].at - t0).toBeGreaterThanOrEqual(950);
    } finally {
      await s2.close();
    }
  });

  it('many clients of one plan share one bus subscription and one connect query at a time', async () => {
    const id = await createPlan(infra.db);
    const clients = Array.from({ length: 20 }, () => new SseClient(s.planUrl(id)));
    await Promise.all(clients.map((c) => c.until((x) => x.of('status').length === 1)));
    const st = s.service.stats();
    expect(st.plans).toBe(1);
    expect(st.subscriptions).toBe(1);
    expect(st.listeners).toBe(20);
    if ('listenerCount' in infra.bus) expect((infra.bus as any).listenerCount(id)).toBe(1);
    await setPlan(infra.db, infra.bus, id, { state: 'completed' });
    await Promise.all(clients.map((c) => c.ended()));
    await eventually(() => s.service.stats().plans === 0, 5_000, 'feed dropped');
  });

  it('a stream outlives the Node server request/headers timeouts', async () => {
    const s3 = await startStreamServer(infra, { ...FAST, keepAliveSeconds: 0.2 }, (srv) => {
      srv.requestTimeout = 500;
      srv.headersTimeout = 400;
      srv.timeout = 500;
    }, mount);
    try {
      const id = await createPlan(infra.db);
      const c = new SseClient(s3.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      await sleep(1_500);
      await setPlan(infra.db, infra.bus, id, { state: 'completed' });
      await c.ended();
      expect(c.types()).toEqual(['status', 'complete']);
      expect(c.opens).toBe(1);
    } finally {
      await s3.close();
    }
  });
});
