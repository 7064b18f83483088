import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { PlanJob } from '@planexe/contracts';
import { BullMqQueue, RedisLimits, planJobId, type BullMqQueueOptions } from '@planexe/infra';
import { REDIS_URL, redisAvailable } from '@planexe/testing/infra';
import { planQueueContract } from '../src/contract/queueContract.ts';
import { limitsContract } from '../src/contract/limitsContract.ts';

const up = await redisAvailable();
const run = randomUUID().slice(0, 8);

const until = async (cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Every queue made here uses its own prefix unless told otherwise, and fast retries. */
const fastQueue = (o: Partial<BullMqQueueOptions> = {}) =>
  new BullMqQueue({ connection: REDIS_URL, prefix: `plxt-${run}-${randomUUID().slice(0, 8)}`, backoff: { type: 'fixed', delay: 50 }, ...o });

describe.skipIf(!up)('Redis adapters', () => {
  afterAll(async () => {
    // drop every key this file made (queue metadata, counters, slot sets)
    const r = new Redis(REDIS_URL);
    for await (const keys of r.scanStream({ match: `plxt-${run}*`, count: 500 })) if (keys.length) await r.unlink(...keys);
    await r.quit();
  });

  planQueueContract('BullMQ', async () => fastQueue());

  // two instances on one key prefix share budgets and slots
  const limitsPrefix = `plxt-${run}:limits:`;
  limitsContract('Redis', async () => new RedisLimits({ connection: REDIS_URL, keyPrefix: limitsPrefix }));

  describe('BullMqQueue', () => {
    const open: BullMqQueue[] = [];
    const children: ChildProcess[] = [];
    const q = (o: Partial<BullMqQueueOptions> = {}) => {
      const queue = fastQueue(o);
      open.push(queue);
      return queue;
    };
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
      await Promise.all(open.splice(0).map((x) => x.close()));
    });

    it('uses a job id per plan attempt that BullMQ accepts', () => {
      expect(planJobId({ plan_id: 'abc', attempt: 2 })).toBe('abc@2.0');
      expect(planJobId({ plan_id: 'a:b', attempt: 1 })).toBe('a%3Ab@1.0');
      // a reconciler re-feed (next takeover generation) is a different job, never a duplicate of the stale record
      expect(planJobId({ plan_id: 'abc', attempt: 2, generation: 3 })).toBe('abc@2.3');
    });

    it('accepts the same plan attempt again once its job has finished', async () => {
      const queue = q();
      const seen: number[] = [];
      await queue.process(async (job) => void seen.push(job.attempt), { concurrency: 1 });
      const job = { plan_id: randomUUID(), attempt: 1 };
      await queue.enqueue(job);
      await until(() => seen.length === 1, 5_000);
      await new Promise((r) => setTimeout(r, 100)); // let BullMQ remove the completed job
      await queue.enqueue(job);
      await until(() => seen.length === 2, 5_000);
    });

    it('ignores a duplicate enqueue while the job is active', async () => {
      const queue = q();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let runs = 0;
      await queue.process(async () => {
        runs++;
        await gate;
      }, { concurrency: 2 });
      const job = { plan_id: randomUUID(), attempt: 1 };
      await queue.enqueue(job);
      await until(() => runs === 1, 5_000);
      await queue.enqueue(job);
      expect(await queue.counts()).toEqual({ waiting: 0, active: 1 });
      release();
      await new Promise((r) => setTimeout(r, 200));
      expect(runs).toBe(1);
    });

    it('gives up after `attempts` deliveries and says so', async () => {
      const given: string[] = [];
      const queue = q({ attempts: 2, onGiveUp: (job, reason) => given.push(`${job.plan_id}:${reason}`) });
      const deliveries: number[] = [];
      await queue.process(async (_job, ctx) => {
        deliveries.push(ctx.redeliveries);
        throw new Error('always');
      }, { concurrency: 1 });
      const id = randomUUID();
      await queue.enqueue({ plan_id: id, attempt: 1 });
      await until(() => given.length === 1, 5_000);
      expect(deliveries).toEqual([0, 1]);
      expect(given).toEqual([`${id}:always`]);
      expect(await queue.counts()).toEqual({ waiting: 0, active: 0 });
    });

    it('redelivers the job of a SIGKILLed worker to another worker (stalled-job recovery)', async () => {
      const lockDuration = 2000;
      const stalledInterval = 1000;
      const producer = q({ lockDuration, stalledInterval });
      const job: PlanJob = { plan_id: randomUUID(), attempt: 1, trace: { traceparent: '00-1-2-01' } };
      await producer.enqueue(job);

      const fixture = fileURLToPath(new URL('./fixtures/hangingConsumer.ts', import.meta.url));
      const child = spawn('npx', ['tsx', fixture], {
        detached: true, // own process group: the kill below reaches npx, tsx and node alike
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, REDIS_URL, QUEUE_PREFIX: producer.prefix, LOCK_DURATION_MS: `${lockDuration}`, STALLED_INTERVAL_MS: `${stalledInterval}` },
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      await until(() => out.includes(`GOT ${job.plan_id}`), 20_000);
      expect(await producer.counts()).toEqual({ waiting: 0, active: 1 });

      process.kill(-child.pid!, 'SIGKILL');
      const killedAt = Date.now();
      const got: { job: PlanJob; redeliveries: number }[] = [];
      const second = q({ lockDuration, stalledInterval, prefix: producer.prefix });
      await second.process(async (j, ctx) => void got.push({ job: j, redeliveries: ctx.redeliveries }), { concurrency: 1 });
      await until(() => got.length === 1, lockDuration + 2 * stalledInterval + 2_000);
      expect(Date.now() - killedAt).toBeLessThan(lockDuration + 2 * stalledInterval + 2_000);
      expect(got[0].job).toEqual(job);
      expect(got[0].redeliveries).toBe(1);
    }, 40_000);

    it('renews the lock of a handler that runs for many lock durations, so it is never redelivered', async () => {
      const opts = { lockDuration: 1000, stalledInterval: 500 };
      const a = q(opts);
      const b = q({ ...opts, prefix: a.prefix }); // a second worker whose stalled checks would steal a lost lock
      const deliveries: number[] = [];
      let done = 0;
      const slow = async (_j: PlanJob, ctx: { redeliveries: number }) => {
        deliveries.push(ctx.redeliveries);
        await new Promise((r) => setTimeout(r, 3_000));
        done++;
      };
      await a.process(slow, { concurrency: 1 });
      await b.process(slow, { concurrency: 1 });
      await a.enqueue({ plan_id: randomUUID(), attempt: 1 });
      await until(() => done === 1, 8_000);
      await new Promise((r) => setTimeout(r, 400));
      expect(deliveries).toEqual([0]);
    });

    it('close() waits for a handler within the grace period, abandons one past it, and the job is redelivered', async () => {
      const opts = { lockDuration: 1000, stalledInterval: 500, closeGraceMs: 300 };
      const first = fastQueue(opts);
      let quickDone = false;
      const started: string[] = [];
      await first.process(async (job) => {
        started.push(job.plan_id);
        if (job.attempt === 1) {
          await new Promise((r) => setTimeout(r, 100));
          quickDone = true;
        } else await new Promise(() => {}); // hangs
      }, { concurrency: 2 });
      const quick = { plan_id: randomUUID(), attempt: 1 };
      const hung = { plan_id: randomUUID(), attempt: 2 };
      await first.enqueue(quick);
      await first.enqueue(hung);
      await until(() => started.length === 2, 5_000);
      const t0 = Date.now();
      await first.close();
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(quickDone).toBe(true);

      const got: { id: string; redeliveries: number }[] = [];
      const second = q({ ...opts, prefix: first.prefix });
      await second.process(async (j, ctx) => void got.push({ id: j.plan_id, redeliveries: ctx.redeliveries }), { concurrency: 1 });
      await until(() => got.length === 1, 5_000);
      expect(got).toEqual([{ id: hung.plan_id, redeliveries: 1 }]);
    });

    it('gives up on a job that stalled more than maxStalledCount times, without running it again', async () => {
      const opts = { lockDuration: 1000, stalledInterval: 500, closeGraceMs: 50, maxStalledCount: 0 };
      const first = fastQueue(opts);
      let started = 0;
      await first.process(async () => {
        started++;
        await new Promise(() => {});
      }, { concurrency: 1 });
      const job = { plan_id: randomUUID(), attempt: 1 };
      await first.enqueue(job);
      await until(() => started === 1, 5_000);
      await first.close(); // abandons the hung handler: the job stalls

      const given: string[] = [];
      const second = q({ ...opts, prefix: first.prefix, onGiveUp: (j, reason) => given.push(`${j.plan_id} ${reason}`) });
      await second.process(async () => void started++, { concurrency: 1 });
      await until(() => given.length === 1, 5_000);
      expect(given[0]).toMatch(new RegExp(`^${job.plan_id} .*stalled`));
      expect(started).toBe(1);
    });

    it('close() ends promptly with an idle worker and leaves no open connection', async () => {
      const queue = fastQueue();
      await queue.process(async () => {}, { concurrency: 1 });
      const t0 = Date.now();
      await queue.close();
      await queue.close(); // idempotent
      expect(Date.now() - t0).toBeLessThan(2_000);
      await expect(queue.enqueue({ plan_id: randomUUID(), attempt: 1 })).rejects.toThrow(/closed/);
    });
  });

  describe('RedisLimits', () => {
    it('keeps limiting from memory when Redis is unreachable, and says it is degraded', async () => {
      const l = new RedisLimits({
        connection: () => new Redis('redis://127.0.0.1:6390', { enableOfflineQueue: false, connectTimeout: 200, maxRetriesPerRequest: 0, retryStrategy: () => 200 }),
        keyPrefix: `plxt-${run}:down:`,
      });
      try {
        const key = randomUUID();
        expect(l.isDegraded()).toBe(true);
        expect((await l.consume(key, 2, 3, 60)).allowed).toBe(true);
        expect((await l.consume(key, 2, 3, 60)).allowed).toBe(false); // refused: takes nothing
        const last = await l.consume(key, 1, 3, 60);
        expect(last).toMatchObject({ allowed: true, remaining: 0 });
        expect((await l.consume(key, 1, 3, 60)).allowed).toBe(false);
        const g = randomUUID();
        expect(await l.acquireSlot(g, 'h1', 1, 60_000)).toBe(true);
        expect(await l.acquireSlot(g, 'h2', 1, 60_000)).toBe(false);
        expect(await l.slotCount(g)).toBe(1);
        await l.releaseSlot(g, 'h1');
        expect(await l.slotCount(g)).toBe(0);
      } finally {
        await l.close();
      }
    });

    it('is not degraded when Redis answers; a refusal leaves the stored budget untouched', async () => {
      const l = new RedisLimits({ connection: REDIS_URL, keyPrefix: `plxt-${run}:up:` });
      const probe = new Redis(REDIS_URL);
      try {
        const key = randomUUID();
        expect((await l.consume(key, 3, 4, 60)).allowed).toBe(true);
        expect(l.isDegraded()).toBe(false);
        expect((await l.consume(key, 2, 4, 60)).allowed).toBe(false);
        expect(await probe.get(`plxt-${run}:up:rl:4/60:${key}`)).toBe('3');
      } finally {
        await l.close();
        await probe.quit();
      }
    });

    it('counts slots across instances and expires a vanished holder\'s lease', async () => {
      const prefix = `plxt-${run}:x:`;
      const a = new RedisLimits({ connection: REDIS_URL, keyPrefix: prefix });
      const b = new RedisLimits({ connection: REDIS_URL, keyPrefix: prefix });
      try {
        const g = randomUUID();
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireSlot(g, `h${i}`, 3, 300)));
        expect(results.filter(Boolean)).toHaveLength(3);
        expect(await b.slotCount(g)).toBe(3);
        await new Promise((r) => setTimeout(r, 400));
        expect(await a.slotCount(g)).toBe(0);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
