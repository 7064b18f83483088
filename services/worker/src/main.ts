/**
 * The worker as its own process (distributed mode): BullMQ jobs from Redis, stop signals and snapshots on NATS,
 * Postgres for everything that matters, and the run-file API for the artifact fallback chain.
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { BullMqQueue, NatsBus, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry, shutdownTelemetry } from '@planexe/telemetry';
import { PlanWorker } from './planWorker.ts';
import { createRunFilesApp } from './runFilesApp.ts';
import { PIPELINE_STEPS, expectedFiles } from './pipeline/graph.ts';

const config = loadServiceConfigOrExit('worker', 'planexe-worker');
if (!config.PLANEXE_REDIS_URL || !config.PLANEXE_NATS_URL) {
  console.error('planexe-worker: PLANEXE_REDIS_URL and PLANEXE_NATS_URL are required in distributed mode (standalone runs the worker in-process).');
  process.exit(2);
}
initTelemetry({ serviceName: 'planexe-worker', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-worker', config.PLANEXE_LOG_LEVEL);
const workerId =
  config.PLANEXE_WORKER_ID ??
  (process.env.RAILWAY_REPLICA_REGION && process.env.RAILWAY_REPLICA_ID
    ? `${process.env.RAILWAY_REPLICA_REGION}_${process.env.RAILWAY_REPLICA_ID}`
    : `${hostname()}-${process.pid}`);
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!);
await migrate(dbh.db);
const bus = await NatsBus.connect({ servers: config.PLANEXE_NATS_URL, namespace: config.PLANEXE_NATS_NAMESPACE, name: workerId, waitOnFirstConnect: true, ...natsTraceHooks });
const queue = new BullMqQueue({
  connection: config.PLANEXE_REDIS_URL,
  prefix: config.PLANEXE_REDIS_PREFIX,
  lockDuration: config.PLANEXE_QUEUE_LOCK_SECONDS * 1000,
  stalledInterval: Math.min(30_000, config.PLANEXE_QUEUE_LOCK_SECONDS * 1000),
  // a job never gives up on its plan: a delivery that ends on an outage comes again (1 s doubling to 10 s) for as
  // long as the plan is wanted; only the plan's own failures, written by the runner, end it
  attempts: Number.MAX_SAFE_INTEGER,
  maxStalledCount: Number.MAX_SAFE_INTEGER,
  backoff: { type: 'exponential', delay: 1_000 },
  maxBackoffMs: 10_000,
  onError: (err) => log.warn({ err: err.message }, 'queue error'),
});
const worker = new PlanWorker({
  db: dbh.db,
  bus,
  queue,
  log,
  steps: PIPELINE_STEPS,
  expected: expectedFiles(PIPELINE_STEPS),
  concurrency: config.PLANEXE_WORKER_CONCURRENCY,
  reapAfterSeconds: config.PLANEXE_WORKER_REAP_SECONDS,
  reconcile: { intervalMs: config.PLANEXE_RECONCILE_SECONDS * 1000, elect: true },
  settings: {
    workerId,
    runDir: config.PLANEXE_RUN_DIR,
    profiles: config,
    creditPriceCents: config.PLANEXE_CREDIT_PRICE_CENTS,
    successFeeUsd: config.PLANEXE_SUCCESS_PLAN_FEE_USD,
    staleSeconds: config.PLANEXE_WORKER_STALE_SECONDS,
    heartbeatMs: config.PLANEXE_WORKER_HEARTBEAT_SECONDS * 1000,
  },
});
await worker.start();

const http = config.PLANEXE_WORKER_HTTP_PORT
  ? createServer(createRunFilesApp(config.PLANEXE_RUN_DIR, { internalSecret: config.PLANEXE_INTERNAL_SECRET }).callback()).listen(config.PLANEXE_WORKER_HTTP_PORT, '0.0.0.0')
  : undefined;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal, worker_id: workerId }, 'worker shutting down');
  http?.close();
  await worker.stop(); // running plans are aborted and left processing: their jobs are redelivered and taken over
  await queue.close();
  await bus.close();
  await dbh.close();
  await shutdownTelemetry();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
