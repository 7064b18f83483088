/**
 * The tools service as one distributed replica for the wait benchmark: `tsx waitServer.ts <postgres url> <namespace>`
 * serves on Postgres, NATS (namespace `<namespace>`) and Redis limits, behind its internal secret (the benchmark
 * sends the gateway's headers itself), and prints `READY <port> <controlPort>`. Control port: GET /waiting, the
 * plan_status waits past their first read (so a change is published only once every wait listens for it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServiceConfig } from '@planexe/config';
import { createPostgresDb } from '@planexe/db';
import { BullMqQueue, NatsBus, RedisLimits } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { createToolsApp } from '../src/app.ts';
import { toolsFromConfig } from '../src/configuredService.ts';

export const BENCH_INTERNAL_SECRET = 'bench-internal-secret';
const [dbUrl, namespace] = process.argv.slice(2);

const dbh = createPostgresDb(dbUrl, { max: 10 });
const bus = await NatsBus.connect({ servers: NATS_URL, namespace });
const limits = new RedisLimits({ connection: REDIS_URL, keyPrefix: `${namespace}:limits:` });
const queue = new BullMqQueue({ connection: REDIS_URL, prefix: namespace });
const config = loadServiceConfig('tools', {
  PLANEXE_INTERNAL_SECRET: BENCH_INTERNAL_SECRET,
  PLANEXE_LOG_LEVEL: 'silent',
  // every wait of the benchmark comes from one address
  PLANEXE_SSE_MAX_CONNECTIONS: '1000',
  PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: '1000',
});
const tools = await toolsFromConfig(config, { db: dbh.db, queue, bus, limits, log: silentLogger() });
const waits = tools.service.registry.deps.waits!;
const app = createToolsApp(tools.service, { internalSecret: BENCH_INTERNAL_SECRET, log: silentLogger() });

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const port = await listen(createServer(app.callback()));
const control = await listen(createServer((_req, res) => res.end(String(waits.waiting))));
const stop = async () => {
  await tools.close();
  await Promise.allSettled([queue.close(), limits.close(), bus.close(), dbh.close()]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
console.log(`READY ${port} ${control}`);
