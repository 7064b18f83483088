/**
 * Rate limits in distributed mode: two gateway replicas on one Redis draw from one budget, and a gateway whose
 * Redis is unreachable keeps serving on its in-memory limiter and says so in /healthcheck.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createTestPgliteDb, REDIS_URL, redisAvailable } from '@planexe/testing/infra';
import { pingDb, type DbHandle } from '@planexe/db';
import { startGateway, startToolsService } from '../../../tests/harness/distributedServer.ts';
import { createSharedLimits, type LeasedRedisLimits } from '../src/sharedLimits.ts';

const up = await redisAvailable();
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
/** A tool call (the budget is spent by tool calls only; a ping would be free). */
const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'example_prompts', arguments: {} } });
const LIMIT = 6;

describe.skipIf(!up)('rate limits shared through Redis', () => {
  const prefix = `plxt-gw-${randomUUID().slice(0, 8)}:`;
  let dbh: DbHandle;
  let tools: Awaited<ReturnType<typeof startToolsService>>;
  const limits: LeasedRedisLimits[] = [];
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    tools = await startToolsService(dbh);
  });
  afterAll(async () => {
    await tools?.close();
    for (const l of limits) await l.close();
    const r = new Redis(REDIS_URL);
    for await (const keys of r.scanStream({ match: `${prefix}*`, count: 500 })) if (keys.length) await r.unlink(...keys);
    await r.quit();
    await dbh?.close();
  });

  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const gateway = (connection: string) => {
    const l = createSharedLimits({ url: connection, prefix }); // what the gateway's main.ts uses
    limits.push(l);
    return startGateway(dbh, {
      log,
      tools: tools.url,
      limits: l,
      limitsDegraded: () => l.isDegraded(),
      health: { database: () => pingDb(dbh.db), redis: () => !l.isDegraded() },
      env: { PLANEXE_MCP_RATE_LIMIT: String(LIMIT), PLANEXE_MCP_RATE_WINDOW_SECONDS: '60' },
    });
  };

  it('two gateways share one budget: the N+1st request across both is refused with Retry-After', async () => {
    const [a, b] = [await gateway(REDIS_URL), await gateway(REDIS_URL)];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT; i++) {
        const g = i % 2 ? b : a;
        const res = await fetch(`${g.url}/mcp/`, { method: 'POST', headers: H, body: ping });
        statuses.push(res.status);
        expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
      }
      expect(statuses).toEqual(Array(LIMIT).fill(200));
      for (const g of [a, b]) {
        const refused = await fetch(`${g.url}/mcp/`, { method: 'POST', headers: H, body: ping });
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await refused.json()) as any).error.data.code).toBe('RATE_LIMITED');
      }
      const h = (await (await fetch(`${a.url}/healthcheck`)).json()) as any;
      expect(h.status).toBe('healthy');
      expect(h.dependencies).toEqual({ database: 'ok', redis: 'ok' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('with Redis unreachable the gateway keeps serving from memory and reports degraded', async () => {
    const g = await gateway('redis://127.0.0.1:1');
    try {
      for (let i = 0; i < LIMIT; i++) {
        const res = await fetch(`${g.url}/mcp/`, { method: 'POST', headers: H, body: ping });
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).result.isError).toBeFalsy();
      }
      // the in-memory limiter still limits, per replica
      expect((await fetch(`${g.url}/mcp/`, { method: 'POST', headers: H, body: ping })).status).toBe(429);
      const res = await fetch(`${g.url}/healthcheck`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'degraded', dependencies: { database: 'ok', redis: 'down' } });
      expect(logLines.filter((l) => l.includes('Redis unreachable'))).toHaveLength(1);
    } finally {
      await g.close();
    }
  });
});
