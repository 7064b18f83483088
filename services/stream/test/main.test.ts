/** services/stream/src/main.ts as a process: Postgres + NATS + Redis, probes, SIGTERM drain. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { RedisLimits } from '@planexe/infra';
import { createInfra, createPlan, distributedAvailable, eventually, rawStream, setPlan, type Infra } from './streamHarness.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe.skipIf(!(await distributedAvailable()))('stream main (distributed mode)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await createInfra('distributed');
  });
  afterAll(async () => infra?.close());

  it('refuses to start without Redis and NATS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH, SQLALCHEMY_DATABASE_URI: infra.dbUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/PLANEXE_REDIS_URL and PLANEXE_NATS_URL are required/);
  });

  it('serves streams, trusts the forwarded client address only with the internal secret, drains on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        PATH: process.env.PATH,
        SQLALCHEMY_DATABASE_URI: infra.dbUrl,
        PLANEXE_REDIS_URL: REDIS_URL,
        PLANEXE_NATS_URL: NATS_URL,
        PORT: '0',
        PLANEXE_SSE_MAX_CONNECTIONS: '1',
        PLANEXE_INTERNAL_SECRET: 'inside',
        PLANEXE_REDIS_PREFIX: infra.prefix,
        PLANEXE_NATS_NAMESPACE: infra.prefix,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const redisLimits = new RedisLimits({ connection: REDIS_URL, keyPrefix: `${infra.prefix}:limits:` });
    let log = '';
    child.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await eventually(() => /"port":\d+/.test(log), 20_000, 'listening');
      const base = `http://127.0.0.1:${/"port":(\d+)/.exec(log)![1]}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const id = await createPlan(infra.db);
      const first = await rawStream(`${base}/sse/plan/${id}`, { 'x-planexe-internal': 'inside', 'x-planexe-client-ip': '203.0.113.7' });
      expect(first.status).toBe(200);
      await eventually(() => first.text().includes('event: status'), 5_000, 'status');
      // another forwarded client is not counted against 203.0.113.7; a forged header without the secret counts by peer
      const second = await rawStream(`${base}/sse/plan/${id}`, { 'x-planexe-internal': 'inside', 'x-planexe-client-ip': '203.0.113.8' });
      expect(second.status).toBe(200);
      const third = await rawStream(`${base}/sse/plan/${id}`, { 'x-planexe-client-ip': '203.0.113.9' });
      expect(third.status).toBe(200);
      const fourth = await rawStream(`${base}/sse/plan/${id}`, { 'x-planexe-client-ip': '203.0.113.10' });
      await fourth.done;
      expect(fourth.status).toBe(429);
      // a snapshot published on the deployment's NATS namespace is pushed
      await setPlan(infra.db, infra.bus, id, { state: 'processing', progress_percentage: 5 });
      await eventually(() => first.text().includes('"progress_percentage": 5.0'), 5_000, 'pushed status');
      expect(await redisLimits.slotCount('sse:total')).toBe(3);
      child.kill('SIGTERM');
      await Promise.all([first.done, second.done, third.done]);
      for (const r of [first, second, third]) expect(r.text()).toMatch(/: reconnect: this server is shutting down\n\n$/);
      expect(await exited).toBe(0);
      expect(await redisLimits.slotCount('sse:total')).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await redisLimits.close();
    }
  });
});
