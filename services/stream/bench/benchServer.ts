/**
 * One SSE server per process for the stream benchmark: `node --expose-gc --import tsx benchServer.ts <scenario> <plans>`
 * prints `READY <ssePort> <controlPort> <namespace>` and serves until SIGTERM.
 *   bare        — anchor: plain node:http, headers + retry + one event, then holds the connection
 *   standalone  — the stream service on PGlite + MemoryBus + MemoryLimits (what `npm start` runs)
 *   distributed — the stream service on Postgres + NatsBus + RedisLimits (one replica of the deployment)
 * Control port: GET /rss (after two full GCs), /stats, /plans, /cpu, /publish?plan=&seq= (in-process bus), /cut?on=0|1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { PlanSnapshot } from '@planexe/contracts';
import { insertPlan, type DbHandle } from '@planexe/db';
import { MemoryBus, MemoryLimits, NatsBus, RedisLimits, type Limits, type ProgressBus } from '@planexe/infra';
import { createTestPgliteDb, createTestPostgresDb, NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { createStreamService, type StreamService } from '../src/streamService.ts';
import { createStreamApp, createStreamListener } from '../src/streamApp.ts';

const [scenario, plansArg] = process.argv.slice(2);
const namespace = `bench-${randomBytes(4).toString('hex')}`;

/** A bus whose transport the benchmark can cut, to measure the polling fallback. */
class CuttableBus extends MemoryBus {
  cut = false;
  override isConnected(): boolean {
    return !this.cut;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

const memory = () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers, heapTotal: m.heapTotal };
};

let sse: Server;
let service: StreamService | undefined;
let dbh: DbHandle | undefined;
let bus: ProgressBus | undefined;
let limits: Limits | undefined;
const planIds: string[] = [];

if (scenario === 'bare') {
  sse = createServer((req, res) => {
    req.socket.setTimeout(0);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.write('retry: 5000\n\nevent: status\ndata: {"state": "processing"}\n\n');
  });
} else {
  dbh = scenario === 'distributed' ? await createTestPostgresDb() : await createTestPgliteDb();
  bus = scenario === 'distributed' ? await NatsBus.connect({ servers: NATS_URL, namespace }) : new CuttableBus();
  limits = scenario === 'distributed' ? new RedisLimits({ connection: REDIS_URL, keyPrefix: `${namespace}:` }) : new MemoryLimits();
  for (let i = 0; i < Number(plansArg || 1); i++) {
    const row = await insertPlan(dbh.db, { prompt: `bench ${i}`, userId: 'admin', apiKeyId: null, parameters: {} });
    await dbh.db.updateTable('plans').set({ state: 'processing', progress_percentage: 1 }).where('id', '=', row.id).execute();
    planIds.push(row.id);
  }
  service = createStreamService(
    { db: dbh.db, bus, limits },
    {
      pollIntervalSeconds: 3,
      heartbeatIntervalSeconds: 20,
      maxDurationSeconds: 3600,
      maxConnections: 1_000_000,
      maxTotalConnections: 1_000_000,
      // standalone: a lease longer than any stream, never renewed; distributed: 60 s leases renewed every 20 s
      ...(scenario === 'standalone' ? { slotLeaseMs: (3600 + 60) * 1000 } : {}),
    },
  );
  // as deployed: standalone mounts the Koa middleware, the stream process its node:http listener
  sse = createServer(scenario === 'standalone' ? createStreamApp(service).callback() : createStreamListener(service));
}
sse.keepAliveTimeout = 65_000;

const snapshot = (planId: string, seq: number): PlanSnapshot => ({
  plan_id: planId,
  version: 1000 + seq,
  state: 'processing',
  progress_percentage: seq,
  progress_message: null,
  steps_completed: null,
  steps_total: null,
  current_step: null,
  created_at: null,
  last_progress_at: null,
  stop_requested: false,
  failure_reason: null,
  error_message: null,
  recoverable: null,
});

const control = createServer(async (req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  let body: unknown = {};
  if (u.pathname === '/rss') body = memory();
  else if (u.pathname === '/stats') body = { ...service?.stats(), rss: process.memoryUsage().rss };
  else if (u.pathname === '/plans') body = planIds;
  else if (u.pathname === '/cpu') body = process.cpuUsage();
  else if (u.pathname === '/publish' && bus) {
    // the publish moment on the shared wall clock (sub-ms), for the client to compare with its receive time
    const at = performance.timeOrigin + performance.now();
    await bus.publishSnapshot(snapshot(u.searchParams.get('plan')!, Number(u.searchParams.get('seq'))));
    body = { at };
  } else if (u.pathname === '/cut' && bus instanceof CuttableBus) bus.cut = u.searchParams.get('on') === '1';
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
});

const [ssePort, controlPort] = [await listen(sse), await listen(control)];
console.log(`READY ${ssePort} ${controlPort} ${namespace}`);

async function stop() {
  await service?.close();
  sse.closeAllConnections();
  await bus?.close();
  await limits?.close();
  await dbh?.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
