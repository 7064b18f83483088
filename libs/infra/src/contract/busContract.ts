import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PlanSnapshot, StopSignal } from '@planexe/contracts';
import type { ProgressBus } from '../ports.ts';

const until = async (cond: () => boolean, ms = 5_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

export function snapshotFor(planId: string, version: number, progress = 0): PlanSnapshot {
  return {
    plan_id: planId,
    version,
    state: 'processing',
    progress_percentage: progress,
    progress_message: `${version} of 10`,
    steps_completed: version,
    steps_total: 10,
    current_step: 'Setup',
    created_at: '2026-01-01T00:00:00Z',
    last_progress_at: null,
    stop_requested: false,
    failure_reason: null,
    error_message: null,
    recoverable: null,
  };
}

/** Behaviour every ProgressBus adapter must show. Two buses from `make` must reach each other (same namespace). */
export function progressBusContract(name: string, make: () => Promise<ProgressBus>) {
  describe(`ProgressBus contract: ${name}`, () => {
    const open: ProgressBus[] = [];
    const fresh = async () => {
      const b = await make();
      open.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('delivers snapshots of a plan, in order, only to that plan\'s subscribers', async () => {
      const pub = await fresh();
      const sub = await fresh();
      const a = randomUUID();
      const b = randomUUID();
      const gotA: number[] = [];
      const gotB: number[] = [];
      await sub.subscribeSnapshots(a, (s) => gotA.push(s.version));
      await sub.subscribeSnapshots(b, (s) => gotB.push(s.version));
      for (let v = 1; v <= 5; v++) await pub.publishSnapshot(snapshotFor(a, v, v * 10));
      await until(() => gotA.length === 5);
      expect(gotA).toEqual([1, 2, 3, 4, 5]);
      expect(gotB).toEqual([]);
    });

    it('carries the whole snapshot unchanged', async () => {
      const pub = await fresh();
      const sub = await fresh();
      const id = randomUUID();
      let got: PlanSnapshot | undefined;
      await sub.subscribeSnapshots(id, (s) => (got = s));
      const sent = snapshotFor(id, 7, 42.5);
      await pub.publishSnapshot(sent);
      await until(() => !!got);
      expect(got).toEqual(sent);
    });

    it('stops delivering after unsubscribe', async () => {
      const bus = await fresh();
      const id = randomUUID();
      const got: number[] = [];
      const off = await bus.subscribeSnapshots(id, (s) => got.push(s.version));
      await bus.publishSnapshot(snapshotFor(id, 1));
      await until(() => got.length === 1);
      await off();
      await bus.publishSnapshot(snapshotFor(id, 2));
      await new Promise((r) => setTimeout(r, 150));
      expect(got).toEqual([1]);
    });

    it('delivers to every local subscriber of a plan; unsubscribing one leaves the others', async () => {
      const pub = await fresh();
      const sub = await fresh();
      const id = randomUUID();
      const got1: number[] = [];
      const got2: number[] = [];
      const off1 = await sub.subscribeSnapshots(id, (s) => got1.push(s.version));
      await sub.subscribeSnapshots(id, (s) => got2.push(s.version));
      await pub.publishSnapshot(snapshotFor(id, 1));
      await until(() => got1.length === 1 && got2.length === 1);
      await off1();
      await pub.publishSnapshot(snapshotFor(id, 2));
      await until(() => got2.length === 2);
      expect(got1).toEqual([1]);
      expect(got2).toEqual([1, 2]);
    });

    it('fans stop signals out to every stop subscriber', async () => {
      const pub = await fresh();
      const w1 = await fresh();
      const w2 = await fresh();
      const got1: StopSignal[] = [];
      const got2: StopSignal[] = [];
      await w1.subscribeStops((s) => got1.push(s));
      await w2.subscribeStops((s) => got2.push(s));
      const sig = { plan_id: randomUUID(), attempt: 3 };
      await pub.publishStop(sig);
      await until(() => got1.length === 1 && got2.length === 1);
      expect(got1[0]).toEqual(sig);
      expect(got2[0]).toEqual(sig);
    });

    it('delivers a replica\'s messages to that replica only', async () => {
      const pub = await fresh();
      const sub = await fresh();
      const mine = randomUUID();
      const other = randomUUID();
      const got: unknown[] = [];
      const gotOther: unknown[] = [];
      await sub.subscribeReplica(mine, (m) => got.push(m));
      await sub.subscribeReplica(other, (m) => gotOther.push(m));
      const message = { id: 'a.b', result: { action: 'accept', content: { n: 1 } } };
      await pub.publishToReplica(mine, message);
      await until(() => got.length === 1);
      expect(got[0]).toEqual(message);
      await new Promise((r) => setTimeout(r, 100));
      expect(gotOther).toEqual([]);
    });

    it('says it is connected', async () => {
      const bus = await fresh();
      expect(bus.isConnected()).toBe(true);
    });
  });
}
