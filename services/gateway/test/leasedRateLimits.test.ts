/**
 * Leased rate limits (sharedLimits.ts + budgetLeases.ts) on a real Redis: replicas spend one global budget without a
 * Redis round trip per request, together never admit more than the budget, and fall short of it by at most 5 % (or
 * 2 requests) even when one replica stops getting traffic while it holds a lease.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestPgliteDb, REDIS_URL, redisAvailable } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startGateway, startToolsService } from '../../../tests/harness/distributedServer.ts';
import { createSharedLimits, type LeasedRedisLimits } from '../src/sharedLimits.ts';

const up = await redisAvailable();
const within = (admitted: number, limit: number) => {
  expect(admitted).toBeLessThanOrEqual(limit);
  expect(admitted).toBeGreaterThanOrEqual(Math.min(limit - 2, Math.floor(limit * 0.95)));
};

/** Sends `n` consumes of `cost` through `limits` with `parallel` in flight; counts the admitted ones. */
async function spend(limits: LeasedRedisLimits, key: string, n: number, limit: number, parallel = 16): Promise<number> {
  let admitted = 0;
  let left = n;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (left-- > 0) if ((await limits.consume(key, 1, limit, 60)).allowed) admitted++;
    }),
  );
  return admitted;
}

describe.skipIf(!up)('leased rate limits on Redis', () => {
  const prefix = `plxt-lease-${randomUUID().slice(0, 8)}`;
  const all: LeasedRedisLimits[] = [];
  const replica = async () => {
    const l = createSharedLimits({ url: REDIS_URL, prefix });
    all.push(l);
    await l.slotCount('warm-up'); // connected before the first consume, so no answer comes from the fallback
    return l;
  };
  afterAll(async () => {
    for (const l of all) await l.close();
    const r = new Redis(REDIS_URL);
    for await (const keys of r.scanStream({ match: `${prefix}*`, count: 500 })) if (keys.length) await r.unlink(...keys);
    await r.quit();
  });

  it('two replicas spending one budget side by side admit it exactly, with a fraction of the round trips', async () => {
    const [a, b] = [await replica(), await replica()];
    const limit = 2000;
    const [fromA, fromB] = await Promise.all([spend(a, 'k1', 1500, limit), spend(b, 'k1', 1500, limit)]);
    within(fromA + fromB, limit);
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
    // batches of up to 2 % of the budget: far fewer round trips than requests
    expect(a.leases.reservations + b.leases.reservations).toBeLessThan((fromA + fromB) / 4);
    // once spent, refusals come from memory: no further round trips
    const before = a.leases.reservations;
    for (let i = 0; i < 50; i++) expect((await a.consume('k1', 1, limit, 60)).allowed).toBe(false);
    expect(a.leases.reservations).toBe(before);
  });

  it('a replica that stops getting traffic while holding a lease strands at most its lease', async () => {
    const [a, b] = [await replica(), await replica()];
    const limit = 1000;
    const first = (await spend(a, 'k2', 300, limit)) + (await spend(b, 'k2', 300, limit));
    expect(first).toBe(600);
    // from here only `a` is asked: `b` keeps whatever it reserved and never spends it
    const rest = await spend(a, 'k2', 1000, limit);
    within(first + rest, limit);
  });

  it('a refusal carries the time to the window end, and a small budget is spent request by request', async () => {
    const a = await replica();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await a.consume('k3', 1, 5, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results.slice(0, 5).map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(results[5].resetMs).toBeGreaterThan(50_000);
    expect(results[5].resetMs).toBeLessThanOrEqual(60_000);
    // a request costing more than is left is refused, a cheaper one still fits
    expect((await a.consume('k4', 8, 10, 60)).allowed).toBe(true);
    expect((await a.consume('k4', 5, 10, 60)).allowed).toBe(false);
    expect((await a.consume('k4', 2, 10, 60)).allowed).toBe(true);
  });
});

describe.skipIf(!up)('two gateways on one Redis budget (leased)', () => {
  const prefix = `plxt-gwl-${randomUUID().slice(0, 8)}`;
  let dbh: DbHandle;
  let tools: Awaited<ReturnType<typeof startToolsService>>;
  const all: LeasedRedisLimits[] = [];
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    tools = await startToolsService(dbh);
  });
  afterAll(async () => {
    await tools?.close();
    for (const l of all) await l.close();
    const r = new Redis(REDIS_URL);
    for await (const keys of r.scanStream({ match: `${prefix}*`, count: 500 })) if (keys.length) await r.unlink(...keys);
    await r.quit();
    await dbh?.close();
  });

  it('admit the budget within 5 % across both, and refuse the rest with 429 + Retry-After', async () => {
    const LIMIT = 150;
    const gateway = async () => {
      const l = createSharedLimits({ url: REDIS_URL, prefix });
      all.push(l);
      await l.slotCount('warm-up');
      return startGateway(dbh, { tools: tools.url, limits: l, limitsDegraded: () => l.isDegraded(), env: { PLANEXE_MCP_RATE_LIMIT: String(LIMIT), PLANEXE_MCP_RATE_WINDOW_SECONDS: '60' } });
    };
    const [a, b] = [await gateway(), await gateway()];
    try {
      const body = JSON.stringify({ tool: 'example_prompts', arguments: {} });
      const statuses: number[] = [];
      let retryAfterOk = true;
      let n = 0;
      await Promise.all(
        [a, b, a, b].map(async (g) => {
          while (n++ < 200) {
            const res = await fetch(`${g.url}/mcp/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            statuses.push(res.status);
            if (res.status === 429) retryAfterOk &&= Number(res.headers.get('retry-after')) > 0 && ((await res.json()) as any).error.code === 'RATE_LIMITED';
            else await res.arrayBuffer();
          }
        }),
      );
      const admitted = statuses.filter((s) => s === 200).length;
      within(admitted, LIMIT);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(retryAfterOk).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
