/**
 * The stream service as its own process (distributed mode): plan states from Postgres, live snapshots from NATS,
 * connection caps in Redis shared by every replica. SIGTERM drains: open streams are told to reconnect (they land
 * on another replica) and every slot is released before the process exits.
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { bindPort, ConfigError, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { NatsBus, RedisLimits, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry } from '@planexe/telemetry';
import { createStreamService, streamOptionsFromConfig } from './streamService.ts';
import { createStreamListener } from './streamApp.ts';
import { clientAddressResolver } from './clientAddress.ts';
import { loadStreamConfig } from './streamConfig.ts';

let config;
try {
  config = loadStreamConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`planexe-stream: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
if (!config.PLANEXE_REDIS_URL || !config.PLANEXE_NATS_URL) {
  console.error('planexe-stream: PLANEXE_REDIS_URL and PLANEXE_NATS_URL are required in distributed mode (standalone serves /sse in-process).');
  process.exit(2);
}
initTelemetry({ serviceName: 'planexe-stream', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-stream', config.PLANEXE_LOG_LEVEL);
const name = `planexe-stream-${hostname()}-${process.pid}`;
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!);
await migrate(dbh.db);
const bus = await NatsBus.connect({
  servers: config.PLANEXE_NATS_URL,
  namespace: config.PLANEXE_NATS_NAMESPACE,
  name,
  waitOnFirstConnect: true,
  onError: (err) => log.warn({ err: String(err) }, 'bus error'),
  ...natsTraceHooks,
});
const limits = new RedisLimits({
  connection: config.PLANEXE_REDIS_URL,
  keyPrefix: `${config.PLANEXE_REDIS_PREFIX}:limits:`, // the gateway's rate limits share it; SSE groups are `sse:…`
  onError: (err) => log.warn({ err: err.message }, 'limits error'),
});
const service = createStreamService(
  { db: dbh.db, bus, limits, log },
  { ...streamOptionsFromConfig(config), clientAddress: clientAddressResolver(config.PLANEXE_INTERNAL_SECRET) },
);
const server = createServer(createStreamListener(service, { busConnected: () => bus.isConnected(), onError: (err) => log.warn({ err: err.message }, 'http error') }));
server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
await new Promise<void>((resolve) => server.listen(bindPort(config), config.PLANEXE_MCP_HTTP_HOST, resolve));
const port = (server.address() as AddressInfo).port;
log.info({ port, host: config.PLANEXE_MCP_HTTP_HOST, name }, 'stream service listening');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal, streams: service.stats().streams }, 'stream service draining');
  await service.close(); // streams told to reconnect, slots released
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  setTimeout(() => server.closeAllConnections(), 5_000).unref();
  await closed;
  await bus.close();
  await limits.close();
  await dbh.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
