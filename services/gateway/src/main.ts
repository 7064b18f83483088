/**
 * The gateway as its own process (distributed mode): the public edge in front of the tools, stream and artifacts
 * services. Postgres for key lookups, Redis for rate limits every replica shares, NATS only for /healthcheck.
 */
import { createServer } from 'node:http';
import { bindPort, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate, pingDb } from '@planexe/db';
import { MemoryLimits, NatsBus, RedisLimits, type Limits } from '@planexe/infra';
import { createLogger, initTelemetry, shutdownTelemetry } from '@planexe/telemetry';
import { createGatewayApp } from './gatewayApp.ts';
import type { HealthCheck } from './health.ts';
import { createSharedLimits } from './sharedLimits.ts';

const config = loadServiceConfigOrExit('gateway', 'planexe-gateway');
const problems: string[] = [];
if (config.PLANEXE_MCP_REQUIRE_AUTH && !config.PLANEXE_API_KEY_SECRET) problems.push('PLANEXE_MCP_REQUIRE_AUTH is on but PLANEXE_API_KEY_SECRET is not set: user keys could not be verified.');
if (!config.PLANEXE_INTERNAL_SECRET) problems.push('PLANEXE_INTERNAL_SECRET is required: the internal services accept only requests that carry it.');
if (problems.length) {
  for (const p of problems) console.error(`planexe-gateway: ${p}`);
  process.exit(2);
}

const tracing = initTelemetry({ serviceName: 'planexe-gateway', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-gateway', config.PLANEXE_LOG_LEVEL);
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!, { max: 10 });
await migrate(dbh.db); // idempotent, under an advisory lock: whichever service starts first creates the tables

let limits: Limits;
const health: Record<string, HealthCheck> = { database: () => pingDb(dbh.db) };
if (config.PLANEXE_REDIS_URL) {
  // one budget for every gateway replica of this deployment
  const redisLimits = createSharedLimits({ url: config.PLANEXE_REDIS_URL, prefix: config.PLANEXE_REDIS_PREFIX, onError: (err) => log.debug({ err: err.message }, 'redis limits error') });
  limits = redisLimits;
  health.redis = () => !redisLimits.isDegraded();
} else {
  log.warn('PLANEXE_REDIS_URL is not set: rate limits are counted per gateway replica, not shared');
  limits = new MemoryLimits();
}
let bus: NatsBus | undefined;
if (config.PLANEXE_NATS_URL) {
  // the gateway publishes nothing; NATS is connected only to report it in /healthcheck, so it never blocks start-up
  NatsBus.connect({ servers: config.PLANEXE_NATS_URL, namespace: config.PLANEXE_NATS_NAMESPACE, name: 'planexe-gateway', waitOnFirstConnect: true })
    .then((b) => (bus = b))
    .catch((err: Error) => log.warn({ err: err.message }, 'NATS connect failed'));
  health.nats = () => bus?.isConnected() ?? false;
}

const host = config.PLANEXE_MCP_HTTP_HOST;
const port = bindPort(config);
const gw = createGatewayApp({
  db: dbh.db,
  limits,
  config,
  log,
  bindHost: host,
  health,
  tracing,
  limitsDegraded: limits instanceof RedisLimits ? () => limits.isDegraded() : undefined,
  upstreams: { tools: config.PLANEXE_TOOLS_URL, stream: config.PLANEXE_STREAM_URL, artifacts: config.PLANEXE_ARTIFACTS_URL },
  internalSecret: config.PLANEXE_INTERNAL_SECRET!,
  upstreamTimeoutMs: config.PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS * 1000,
});

const server = createServer(gw.app.callback());
server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
server.listen(port, host, () => {
  gw.lifecycle.markReady();
  log.info({ host, port, tools: config.PLANEXE_TOOLS_URL, stream: config.PLANEXE_STREAM_URL, artifacts: config.PLANEXE_ARTIFACTS_URL }, 'gateway listening');
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'gateway shutting down');
  gw.lifecycle.markStopping(); // /readyz → 503, so the load balancer stops sending new requests
  server.close();
  server.closeIdleConnections();
  // open SSE streams and downloads get a grace period, then are cut (clients reconnect to another replica)
  setTimeout(() => server.closeAllConnections(), 10_000).unref();
  await new Promise<void>((r) => server.once('close', () => r()));
  await limits.close();
  await bus?.close();
  await dbh.close();
  await shutdownTelemetry();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
