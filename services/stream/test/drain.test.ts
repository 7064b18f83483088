/** drain() (SIGTERM): clients are told to reconnect, land on another replica and miss no terminal event. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combos, createInfra, createPlan, eventually, FAST, rawStream, setPlan, sleep, SseClient, startStreamServer, type Infra, type StreamServer } from './streamHarness.ts';

describe.each(await combos())('drain (%s)', (combo) => {
  let infra: Infra;
  let a: StreamServer;
  let b: StreamServer;
  beforeAll(async () => {
    infra = await createInfra(combo);
    a = await startStreamServer(infra, FAST);
    b = await startStreamServer(infra, FAST);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await infra?.close();
  });

  it('reconnects every client elsewhere: changes made meanwhile arrive once, terminal events are not missed', async () => {
    // a load balancer: replica a until it drains, then b
    const lb: typeof fetch = (input, init) => {
      const path = new URL(String(input)).pathname;
      return fetch(`${a.service.draining ? b.url : a.url}${path}`, init);
    };
    const [finishing, progressing, idle] = [await createPlan(infra.db), await createPlan(infra.db), await createPlan(infra.db)];
    for (const id of [finishing, progressing, idle]) await setPlan(infra.db, infra.bus, id, { state: 'processing', progress_percentage: 25 });
    const clients = [finishing, progressing, idle].map((id) => new SseClient(a.planUrl(id), { fetch: lb }));
    await Promise.all(clients.map((c) => c.until((x) => x.of('status').length === 1)));
    const [cf, cp, ci] = clients;
    expect(a.service.stats().streams).toBe(3);

    await a.service.drain();
    expect(a.service.stats()).toMatchObject({ streams: 0, slots: 0 });
    // while the clients wait out `retry: 5000`, the plans move on without them
    const last = await setPlan(infra.db, infra.bus, finishing, { state: 'completed' });
    await setPlan(infra.db, infra.bus, progressing, { progress_percentage: 60 });

    await cf.ended(10_000);
    expect(cf.events.map((e) => [e.type, e.data.progress_percentage])).toEqual([['status', 25], ['complete', 100]]);
    expect(cf.events[1].id).toBe(String(last));
    await cp.until((x) => x.of('status').length === 2, 10_000);
    expect(cp.events[1].data.progress_percentage).toBe(60);
    // nothing changed for this one: Last-Event-ID spares it a repeated status
    await eventually(() => ci.opens === 2, 10_000, 'idle client reconnected');
    await sleep(200);
    expect(ci.events).toHaveLength(1);
    expect(b.service.stats().streams).toBe(2);

    await setPlan(infra.db, infra.bus, progressing, { state: 'failed', progress_message: '7 of 30' });
    await setPlan(infra.db, infra.bus, idle, { state: 'stopped' });
    await Promise.all([cp.ended(), ci.ended()]);
    expect(cp.types()).toEqual(['status', 'status', 'complete']);
    expect(ci.types()).toEqual(['status', 'complete']);
    expect(clients.map((c) => c.opens)).toEqual([2, 2, 2]);
  });

  it('a draining replica answers new streams with a reconnect hint, takes no slot, and is not ready', async () => {
    const id = await createPlan(infra.db);
    const r = await rawStream(a.planUrl(id));
    await r.done;
    expect(r.status).toBe(200);
    expect(r.text()).toBe('retry: 5000\n\n: reconnect: this server is shutting down\n\n');
    expect(a.service.stats().slots).toBe(0);
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${a.url}/livez`)).status).toBe(200);
  });
});
