/** Push from the bus, polling while it is down, back to push when it returns; no open stream is dropped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanSnapshot } from '@planexe/contracts';
import { MemoryBus, NatsBus, type ProgressBus } from '@planexe/infra';
import { createInfra, createPlan, distributedAvailable, eventually, FAST, setPlan, sleep, SseClient, startStreamServer, type Infra } from './streamHarness.ts';

/** A bus whose transport can be cut: while cut, isConnected() is false and published snapshots are lost. */
class CuttableBus extends MemoryBus implements ProgressBus {
  cut = false;
  override async publishSnapshot(s: PlanSnapshot): Promise<void> {
    if (!this.cut) await super.publishSnapshot(s);
  }
  override isConnected(): boolean {
    return !this.cut;
  }
}

const POLL = 0.2;

describe('bus fallback (embedded, cuttable bus)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await createInfra('embedded');
  });
  afterAll(async () => infra?.close());

  it('idle streams cost no database query while the bus is connected', async () => {
    const bus = new CuttableBus();
    const s = await startStreamServer({ ...infra, bus }, { ...FAST, pollIntervalSeconds: POLL });
    try {
      const ids = [await createPlan(infra.db), await createPlan(infra.db)];
      const clients = Array.from({ length: 30 }, (_, i) => new SseClient(s.planUrl(ids[i % 2])));
      await Promise.all(clients.map((c) => c.until((x) => x.of('status').length === 1)));
      const before = s.service.stats().queries;
      expect(before).toBeLessThanOrEqual(30); // one per connect at most (streams opening together share one)
      await sleep(POLL * 1000 * 6);
      expect(s.service.stats().queries).toBe(before);
      for (const c of clients) c.close();
    } finally {
      await s.close();
    }
  });

  it('falls back to polling every poll interval while the bus is down, and returns to push', async () => {
    const bus = new CuttableBus();
    const s = await startStreamServer({ ...infra, bus }, { ...FAST, pollIntervalSeconds: POLL });
    try {
      const id = await createPlan(infra.db);
      await setPlan(infra.db, bus, id, { state: 'processing', progress_percentage: 10 });
      const c = new SseClient(s.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      bus.cut = true;
      await setPlan(infra.db, bus, id, { progress_percentage: 20 }); // the event is lost with the transport
      await c.until((x) => x.of('status').length === 2, 3_000);
      expect(c.events[1].data.progress_percentage).toBe(20);
      await setPlan(infra.db, bus, id, { progress_percentage: 30 });
      await c.until((x) => x.of('status').length === 3, 3_000);
      expect(s.service.stats().polling).toBe(true);
      bus.cut = false;
      // two catch-up polls after the bus returns, then no more queries
      await sleep(POLL * 1000 * 4);
      const q = s.service.stats().queries;
      await sleep(POLL * 1000 * 4);
      expect(s.service.stats().queries).toBe(q);
      await setPlan(infra.db, bus, id, { state: 'completed' });
      await c.ended(3_000);
      expect(c.events.map((e) => e.data.progress_percentage)).toEqual([10, 20, 30, 100]);
      expect(c.opens).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('a plan that disappears while polling ends with PLAN_NOT_FOUND', async () => {
    const bus = new CuttableBus();
    const s = await startStreamServer({ ...infra, bus }, { ...FAST, pollIntervalSeconds: POLL });
    try {
      const id = await createPlan(infra.db);
      const c = new SseClient(s.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      bus.cut = true;
      await infra.db.deleteFrom('plans').where('id', '=', id).execute();
      await c.ended(3_000);
      expect(c.events.map((e) => e.data.code ?? e.type)).toEqual(['status', 'PLAN_NOT_FOUND']);
    } finally {
      await s.close();
    }
  });
});

const NATS_BIN = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function startNats(port: number): Promise<ChildProcess> {
  const p = spawn(NATS_BIN!, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  return eventually(
    () =>
      new Promise<boolean>((r) => {
        const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true))).on('error', () => r(false));
      }),
    10_000,
    'nats-server up',
  ).then(() => p);
}

describe.skipIf(!NATS_BIN || !(await distributedAvailable()))('bus fallback (a private nats-server killed mid-stream)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await createInfra('distributed');
  });
  afterAll(async () => infra?.close());

  it('updates keep arriving by polling while NATS is down, and by push after it is back', async () => {
    const port = await freePort();
    let nats = await startNats(port);
    const opts = { servers: `nats://127.0.0.1:${port}`, namespace: infra.prefix, reconnectTimeWaitMs: 100 };
    const bus = await NatsBus.connect(opts);
    const worker = await NatsBus.connect(opts); // publishes as a worker would
    const s = await startStreamServer({ ...infra, bus }, { ...FAST, pollIntervalSeconds: POLL });
    try {
      const id = await createPlan(infra.db);
      const c = new SseClient(s.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      await setPlan(infra.db, worker, id, { state: 'processing', progress_percentage: 10 });
      await c.until((x) => x.of('status').length === 2, 3_000);
      nats.kill('SIGKILL');
      await eventually(() => !bus.isConnected(), 10_000, 'bus disconnected');
      await setPlan(infra.db, null, id, { progress_percentage: 40 });
      await c.until((x) => x.of('status').length === 3, 3_000);
      expect(s.service.stats().polling).toBe(true);
      nats = await startNats(port);
      await eventually(() => bus.isConnected() && worker.isConnected(), 10_000, 'bus reconnected');
      await sleep(POLL * 1000 * 4);
      const q = s.service.stats().queries;
      await setPlan(infra.db, worker, id, { progress_percentage: 70 });
      await c.until((x) => x.of('status').length === 4, 3_000);
      await setPlan(infra.db, worker, id, { state: 'completed' });
      await c.ended(3_000);
      expect(s.service.stats().queries).toBe(q); // delivered by push, not by a poll
      expect(c.events.map((e) => e.data.progress_percentage)).toEqual([0, 10, 40, 70, 100]);
      expect(c.opens).toBe(1);
    } finally {
      await s.close();
      await Promise.all([bus.close(), worker.close()]);
      nats.kill('SIGKILL');
    }
  });

  it('a closed NatsBus leaves the open streams on polling', async () => {
    const bus = await NatsBus.connect({ namespace: infra.prefix, servers: process.env.PLANEXE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222' });
    const s = await startStreamServer({ ...infra, bus }, { ...FAST, pollIntervalSeconds: POLL });
    try {
      const id = await createPlan(infra.db);
      const c = new SseClient(s.planUrl(id));
      await c.until((x) => x.of('status').length === 1);
      await bus.close();
      await setPlan(infra.db, null, id, { state: 'completed' });
      await c.ended(3_000);
      expect(c.types()).toEqual(['status', 'complete']);
    } finally {
      await s.close();
    }
  });
});
