/** spec/sse.md §5 caps, reserved before the response starts; shared across replicas through Redis; crash-safe leases. */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLimits } from '@planexe/infra';
import { REDIS_URL } from '@planexe/testing/infra';
import { combos, createInfra, createPlan, distributedAvailable, eventually, FAST, rawStream, startStreamServer, type Infra, type RawStream } from './streamHarness.ts';

const byHeader = { clientAddress: (req: IncomingMessage) => String(req.headers['x-test-client'] ?? 'unknown') };
const open = (url: string, client = 'A') => rawStream(url, { 'x-test-client': client });

async function expect429(url: string, message: string, client = 'A') {
  const r = await open(url, client);
  await r.done;
  expect(r.status).toBe(429);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.text()).error).toEqual({ code: 'SSE_CONNECTION_LIMIT', message });
}

describe.each(await combos())('connection caps (%s)', (combo) => {
  let infra: Infra;
  let planId: string;
  beforeAll(async () => {
    infra = await createInfra(combo);
    planId = await createPlan(infra.db);
  });
  afterAll(async () => infra?.close());

  it('a third concurrent stream of one client is refused with 429 JSON before any SSE byte; other clients are not', async () => {
    const s = await startStreamServer(infra, { ...FAST, maxConnections: 2, slotGroupPrefix: 'c1:', ...byHeader });
    try {
      const held = [await open(s.planUrl(planId)), await open(s.planUrl(planId))];
      expect(held.map((r) => r.status)).toEqual([200, 200]);
      await expect429(s.planUrl(planId), 'Per-client SSE connection limit (2) reached');
      const other = await open(s.planUrl(planId), 'B');
      expect(other.status).toBe(200);
      expect(await infra.limits.slotCount('c1:client:A')).toBe(2);
      expect(await infra.limits.slotCount('c1:total')).toBe(3);
      // the slot is released as soon as the client goes away, not at the next event
      held[0].close();
      await eventually(async () => (await infra.limits.slotCount('c1:client:A')) === 1, 3_000, 'slot released');
      const again = await open(s.planUrl(planId));
      expect(again.status).toBe(200);
      for (const r of [held[1], other, again]) r.close();
      await eventually(async () => (await infra.limits.slotCount('c1:total')) === 0, 3_000, 'all released');
    } finally {
      await s.close();
    }
  });

  it('the server-wide cap is checked first', async () => {
    const s = await startStreamServer(infra, { ...FAST, maxConnections: 1, maxTotalConnections: 1, slotGroupPrefix: 'c2:', ...byHeader });
    try {
      const held = await open(s.planUrl(planId));
      await expect429(s.planUrl(planId), 'Server-wide SSE connection limit (1) reached');
      await expect429(s.planUrl(planId), 'Server-wide SSE connection limit (1) reached', 'B');
      // a refusal by the per-client cap gives back the server-wide slot it took first
      held.close();
      await eventually(async () => (await infra.limits.slotCount('c2:total')) === 0, 3_000, 'released');
    } finally {
      await s.close();
    }
  });

  it('streams that end by themselves (unknown plan, complete) release their slots', async () => {
    const s = await startStreamServer(infra, { ...FAST, maxConnections: 1, slotGroupPrefix: 'c3:', ...byHeader });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await open(s.planUrl('0b8e2d1c-0000-4000-8000-00000000000' + i));
        await r.done;
        expect(r.status).toBe(200);
        expect(r.text()).toContain('PLAN_NOT_FOUND');
        await eventually(async () => (await infra.limits.slotCount('c3:total')) === 0, 3_000, 'released');
      }
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!(await distributedAvailable()))('caps across replicas (Redis)', () => {
  let infra: Infra;
  let planId: string;
  beforeAll(async () => {
    infra = await createInfra('distributed');
    planId = await createPlan(infra.db);
  });
  afterAll(async () => infra?.close());

  it('two stream apps on one Redis enforce one global cap', async () => {
    const limits2 = new RedisLimits({ connection: REDIS_URL, keyPrefix: `${infra.prefix}:` });
    const a = await startStreamServer(infra, { ...FAST, maxTotalConnections: 3, slotGroupPrefix: 'g:' });
    // b runs the node:http listener of the stream process, a the Koa middleware: both answer the same 429
    const b = await startStreamServer({ ...infra, limits: limits2 }, { ...FAST, maxTotalConnections: 3, slotGroupPrefix: 'g:' }, undefined, 'node');
    try {
      const held = [await open(a.planUrl(planId)), await open(a.planUrl(planId)), await open(b.planUrl(planId))];
      expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
      await expect429(a.planUrl(planId), 'Server-wide SSE connection limit (3) reached');
      await expect429(b.planUrl(planId), 'Server-wide SSE connection limit (3) reached');
      held[0].close();
      await eventually(async () => (await limits2.slotCount('g:total')) === 2, 3_000, 'released on a');
      const onB = await open(b.planUrl(planId));
      expect(onB.status).toBe(200);
      for (const r of [...held, onB]) r.close();
    } finally {
      await a.close();
      await b.close();
      await limits2.close();
    }
  });

  it("a killed replica's slots stop counting within one lease", async () => {
    const LEASE = 1_500;
    const fixture = fileURLToPath(new URL('./fixtures/streamHolder.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, DB_URL: infra.dbUrl, REDIS_URL, KEY_PREFIX: `${infra.prefix}:`, LEASE_MS: String(LEASE), RENEW_MS: '400', MAX_TOTAL: '3' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const s = await startStreamServer(infra, { ...FAST, maxTotalConnections: 3, slotLeaseMs: LEASE, slotRenewMs: 400 });
    let held: RawStream[] = [];
    try {
      held = await Promise.all([1, 2, 3].map(() => rawStream(`http://127.0.0.1:${port}/sse/plan/${planId}`)));
      expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
      // renewal keeps them alive past one lease
      await new Promise((r) => setTimeout(r, LEASE * 2));
      expect(await infra.limits.slotCount('sse:total')).toBe(3);
      await expect429(s.planUrl(planId), 'Server-wide SSE connection limit (3) reached');
      child.kill('SIGKILL');
      const killedAt = Date.now();
      await eventually(async () => (await infra.limits.slotCount('sse:total')) === 0, LEASE + 3_000, 'leases expired');
      expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE + 2_500); // one lease, plus slack for a loaded machine
      const r = await rawStream(s.planUrl(planId));
      expect(r.status).toBe(200);
      r.close();
    } finally {
      child.kill('SIGKILL');
      for (const r of held) r.close();
      await s.close();
    }
    // a child process under tsx takes most of this on a loaded machine (a CI run hit the default 30 s before READY)
  }, 90_000);
});
