/**
 * The stream service as its own process (distributed mode): plan states from Postgres, live snapshots from NATS,
 * connection caps in Redis shared by every replica. SIGTERM drains: open streams are told to reconnect (they land
 * on another replica) and every slot is released before the process exits.
 */
import { hostname } from 'node:os';
import { bindPort, exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { serve } from '@planexe/http';
import { NatsBus, RedisLimits, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry } from '@planexe/telemetry';
import { streamFromConfig } from './streamFromConfig.ts';
import { createStreamListener } from './streamApp.ts';

const config = loadServiceConfigOrExit('stream', 'planexe-stream');
exitOnProblems('planexe-stream', [
  (!config.PLANEXE_REDIS_URL || !config.PLANEXE_NATS_URL) && 'PLANEXE_REDIS_URL and PLANEXE_NATS_URL are required in distributed mode (standalone serves /sse in-process).',
]);
initTelemetry({ serviceName: 'planexe-stream', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-stream', config.PLANEXE_LOG_LEVEL);
const name = `planexe-stream-${hostname()}-${process.pid}`;
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!);
await migrate(dbh.db);
const bus = await NatsBus.connect({
  servers: config.PLANEXE_NATS_URL!,
  namespace: config.PLANEXE_NATS_NAMESPACE,
  name,
  waitOnFirstConnect: true,
  onError: (err) => log.warn({ err: String(err) }, 'bus error'),
  ...natsTraceHooks,
});
const limits = new RedisLimits({
  connection: config.PLANEXE_REDIS_URL!,
  keyPrefix: `${config.PLANEXE_REDIS_PREFIX}:limits:`, // the gateway's rate limits share it; SSE groups are `sse:…`
  onError: (err) => log.warn({ err: err.message }, 'limits error'),
});
const service = streamFromConfig(config, { db: dbh.db, bus, limits, log });
const listener = createStreamListener(service, { busConnected: () => bus.isConnected(), onError: (err) => log.warn({ err: err.message }, 'http error') });
const { port } = await serve(listener, {
  name: 'stream service',
  host: config.PLANEXE_MCP_HTTP_HOST,
  port: bindPort(config),
  log,
  drain: async () => {
    log.info({ streams: service.stats().streams }, 'stream service draining');
    await service.close(); // streams told to reconnect, slots released
  },
  graceMs: 5_000,
  close: [() => bus.close(), () => limits.close(), () => dbh.close()],
});
log.info({ port, host: config.PLANEXE_MCP_HTTP_HOST, name }, 'stream service listening');
