import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { PlanJob } from '@planexe/contracts';
import type { PlanQueue } from '../ports.ts';

const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Behaviour every PlanQueue adapter must show. `make` returns a fresh queue on an isolated namespace. */
export function planQueueContract(name: string, make: () => Promise<PlanQueue>) {
  describe(`PlanQueue contract: ${name}`, () => {
    const open: PlanQueue[] = [];
    const fresh = async () => {
      const q = await make();
      open.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close()));
    });

    it('delivers every job once, in FIFO order with concurrency 1', async () => {
      const q = await fresh();
      const seen: string[] = [];
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await q.enqueue({ plan_id: id, attempt: 1 });
      await q.process(async (job) => {
        seen.push(job.plan_id);
      }, { concurrency: 1 });
      await until(() => seen.length === 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual(ids);
    });

    it('ignores a duplicate enqueue of the same plan attempt but accepts a new attempt', async () => {
      const q = await fresh();
      const id = randomUUID();
      const seen: PlanJob[] = [];
      await q.enqueue({ plan_id: id, attempt: 1 });
      await q.enqueue({ plan_id: id, attempt: 1 });
      await q.enqueue({ plan_id: id, attempt: 2 });
      await q.process(async (job) => {
        seen.push(job);
      }, { concurrency: 1 });
      await until(() => seen.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map((j) => j.attempt).sort()).toEqual([1, 2]);
    });

    it('runs up to `concurrency` jobs at once', async () => {
      const q = await fresh();
      let active = 0;
      let peak = 0;
      let done = 0;
      for (let i = 0; i < 4; i++) await q.enqueue({ plan_id: randomUUID(), attempt: 1 });
      await q.process(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 150));
        active--;
        done++;
      }, { concurrency: 2 });
      await until(() => done === 4);
      expect(peak).toBe(2);
    });

    it('redelivers a job whose handler failed, with the delivery count', async () => {
      const q = await fresh();
      const deliveries: number[] = [];
      await q.enqueue({ plan_id: randomUUID(), attempt: 1, trace: { traceparent: '00-abc-def-01' } });
      let trace: unknown;
      await q.process(async (job, ctx) => {
        deliveries.push(ctx.redeliveries);
        trace = job.trace;
        if (deliveries.length === 1) throw new Error('boom');
      }, { concurrency: 1 });
      await until(() => deliveries.length === 2, 20_000);
      expect(deliveries).toEqual([0, 1]);
      expect(trace).toEqual({ traceparent: '00-abc-def-01' });
    });

    it('delivers a job enqueued after the consumer started, with its trace record unchanged', async () => {
      const q = await fresh();
      const seen: PlanJob[] = [];
      await q.process(async (job) => {
        seen.push(job);
      }, { concurrency: 1 });
      const job = { plan_id: randomUUID(), attempt: 2, trace: { traceparent: '00-aa-bb-01', tracestate: 'x=1' } };
      await q.enqueue(job);
      await until(() => seen.length === 1);
      expect(seen[0]).toEqual(job);
    });

    it('treats a new takeover generation of the same attempt as a new job, and reports where a job is', async () => {
      const q = await fresh();
      const id = randomUUID();
      const seen: PlanJob[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await q.enqueue({ plan_id: id, attempt: 1 });
      expect(await q.jobState({ plan_id: id, attempt: 1 })).toBe('queued');
      expect(await q.jobState({ plan_id: id, attempt: 1, generation: 1 })).toBe('absent');
      await q.process(async (job) => {
        seen.push(job);
        await gate;
      }, { concurrency: 2 });
      await until(() => seen.length === 1);
      expect(await q.jobState({ plan_id: id, attempt: 1 })).toBe('running');
      await q.enqueue({ plan_id: id, attempt: 1, generation: 1 });
      await until(() => seen.length === 2);
      expect(seen.map((j) => j.generation ?? 0)).toEqual([0, 1]);
      release();
      await until(async () => (await q.jobState({ plan_id: id, attempt: 1, generation: 1 })) === 'absent');
    });

    it('reports waiting and active counts', async () => {
      const q = await fresh();
      await q.enqueue({ plan_id: randomUUID(), attempt: 1 });
      await q.enqueue({ plan_id: randomUUID(), attempt: 1 });
      expect((await q.counts()).waiting).toBe(2);
    });
  });
}
