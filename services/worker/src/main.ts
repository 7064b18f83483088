/**
 * The worker as its own process (distributed mode): BullMQ jobs from Redis, stop signals and snapshots on NATS,
 * Postgres for everything that matters, and the run-file API for the artifact fallback chain (with the probes).
 */
import { exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { onShutdownSignal, serve } from '@planexe/http';
import { BullMqQueue, NatsBus, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry, shutdownTelemetry } from '@planexe/telemetry';
import { createRunFilesApp } from './runFilesApp.ts';
import { planWorkerFromConfig, workerIdOf, workerQueueOptions } from './workerFromConfig.ts';

const config = loadServiceConfigOrExit('worker', 'planexe-worker');
exitOnProblems('planexe-worker', [
  (!config.PLANEXE_REDIS_URL || !config.PLANEXE_NATS_URL) && 'PLANEXE_REDIS_URL and PLANEXE_NATS_URL are required in distributed mode (standalone runs the worker in-process).',
]);
initTelemetry({ serviceName: 'planexe-worker', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-worker', config.PLANEXE_LOG_LEVEL);
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!);
await migrate(dbh.db);
const workerId = workerIdOf(config, false);
const bus = await NatsBus.connect({ servers: config.PLANEXE_NATS_URL!, namespace: config.PLANEXE_NATS_NAMESPACE, name: workerId, waitOnFirstConnect: true, ...natsTraceHooks });
const queue = new BullMqQueue({ ...workerQueueOptions(config), onError: (err) => log.warn({ err: err.message }, 'queue error') });
const worker = planWorkerFromConfig(config, { db: dbh.db, bus, queue, log });
await worker.start();

// running plans are aborted and left processing on shutdown: their jobs are redelivered and taken over
const close = [() => worker.stop(), () => queue.close(), () => bus.close(), () => dbh.close(), () => shutdownTelemetry()];
let stopping = false;
if (config.PLANEXE_WORKER_HTTP_PORT) {
  const app = createRunFilesApp(config.PLANEXE_RUN_DIR, { internalSecret: config.PLANEXE_INTERNAL_SECRET, ready: () => !stopping });
  await serve(app.callback(), { name: 'worker', host: '0.0.0.0', port: config.PLANEXE_WORKER_HTTP_PORT, log, drain: () => void (stopping = true), close });
} else {
  onShutdownSignal('worker', log, async () => {
    for (const c of close) await c();
  });
}
log.info({ worker_id: workerId, http: config.PLANEXE_WORKER_HTTP_PORT || 'off' }, 'worker running');
