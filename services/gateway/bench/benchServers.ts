/**
 * Servers for the gateway benchmark, one per process: `tsx benchServers.ts <scenario>` prints `READY <port>` and
 * serves until killed. Configuration comes from the environment the benchmark sets.
 *   tools    — the distributed tools service (internal secret required) over BENCH_DATABASE_URL
 *   gateway  — the gateway app (auth on, RedisLimits on REDIS_URL with a high limit) proxying to BENCH_TOOLS_URL
 *   anchor   — a bare node:http proxy hop (no auth, no limits, no Koa) adding the headers the gateway adds: the floor
 *              any proxy hop costs on this machine
 */
import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServiceConfig } from '@planexe/config';
import { createPostgresDb, pingDb } from '@planexe/db';
import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { createToolsApp } from '@planexe/tools';
import { toolsFromConfig } from '@planexe/tools/configuredService';
import { gatewayFromConfig } from '../src/gatewayApp.ts';
import { createSharedLimits } from '../src/sharedLimits.ts';

const scenario = process.argv[2];
const env = process.env as Record<string, string>;
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

async function listen(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  console.log(`READY ${(server.address() as AddressInfo).port}`);
}

const dbh = createPostgresDb(env.BENCH_DATABASE_URL, { max: 10 });
const log = silentLogger();
if (scenario === 'tools') {
  const config = loadServiceConfig('tools', env);
  // the same tools code as production; queue and bus in memory (plan_status touches neither, and both rows share it)
  const tools = await toolsFromConfig(config, { db: dbh.db, queue: new MemoryQueue(), bus: new MemoryBus(), log });
  await listen(createToolsApp(tools.service, { internalSecret: config.PLANEXE_INTERNAL_SECRET!, log }).callback());
} else if (scenario === 'gateway') {
  // every upstream is the one tools server: the benchmark measures the gateway's own work
  const config = loadServiceConfig('gateway', { ...env, PLANEXE_TOOLS_URL: env.BENCH_TOOLS_URL, PLANEXE_STREAM_URL: env.BENCH_TOOLS_URL, PLANEXE_ARTIFACTS_URL: env.BENCH_TOOLS_URL });
  const limits = env.BENCH_LIMITER === 'memory' ? new MemoryLimits() : createSharedLimits({ url: config.PLANEXE_REDIS_URL!, prefix: config.PLANEXE_REDIS_PREFIX });
  const gw = gatewayFromConfig(config, { db: dbh.db, limits, log, bindHost: '0.0.0.0', health: { database: () => pingDb(dbh.db) } });
  gw.lifecycle.markReady();
  await listen(gw.app.callback());
} else if (scenario === 'anchor') {
  const target = new URL(env.BENCH_TOOLS_URL);
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host, 'content-length': String(body.length), 'x-planexe-internal': env.PLANEXE_INTERNAL_SECRET, 'x-planexe-caller': env.BENCH_CALLER };
      delete headers['x-api-key'];
      const up = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (ur) => {
        const bufs: Buffer[] = [];
        ur.on('data', (c: Buffer) => bufs.push(c));
        ur.on('end', () => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          res.end(Buffer.concat(bufs));
        });
      });
      up.end(body);
    });
  });
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
