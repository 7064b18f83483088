/**
 * The gateway as its own process (distributed mode): the public edge in front of the tools, stream and artifacts
 * services. Postgres for key lookups, Redis for rate limits every replica shares, NATS only for /healthcheck.
 */
import { downloadTokensFromConfig } from '@planexe/auth';
import { bindPort, buildOrExit, exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate, pingDb } from '@planexe/db';
import { serve } from '@planexe/http';
import { MemoryLimits, NatsBus, type Limits } from '@planexe/infra';
import { createLogger, initTelemetry, shutdownTelemetry } from '@planexe/telemetry';
import { gatewayFromConfig } from './gatewayApp.ts';
import type { HealthCheck } from './health.ts';
import { createSharedLimits } from './sharedLimits.ts';

const config = loadServiceConfigOrExit('gateway', 'planexe-gateway');
exitOnProblems('planexe-gateway', [
  config.PLANEXE_MCP_REQUIRE_AUTH && !config.PLANEXE_API_KEY_SECRET && 'PLANEXE_MCP_REQUIRE_AUTH is on but PLANEXE_API_KEY_SECRET is not set: user keys could not be verified.',
  !config.PLANEXE_INTERNAL_SECRET && 'PLANEXE_INTERNAL_SECRET is required: the internal services accept only requests that carry it.',
]);
const tokens = buildOrExit('planexe-gateway', () => downloadTokensFromConfig(config));

const tracing = initTelemetry({ serviceName: 'planexe-gateway', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-gateway', config.PLANEXE_LOG_LEVEL);
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!, { max: 10 });
await migrate(dbh.db); // idempotent, under an advisory lock: whichever service starts first creates the tables

let limits: Limits;
let limitsDegraded: (() => boolean) | undefined;
const health: Record<string, HealthCheck> = { database: () => pingDb(dbh.db) };
if (config.PLANEXE_REDIS_URL) {
  // one budget for every gateway replica of this deployment
  const redisLimits = createSharedLimits({ url: config.PLANEXE_REDIS_URL, prefix: config.PLANEXE_REDIS_PREFIX, onError: (err) => log.debug({ err: err.message }, 'redis limits error') });
  limits = redisLimits;
  limitsDegraded = () => redisLimits.isDegraded();
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

const gw = gatewayFromConfig(config, { db: dbh.db, limits, limitsDegraded, log, health, tracing, tokens });
const host = config.PLANEXE_MCP_HTTP_HOST;
const { port } = await serve(gw.app.callback(), {
  name: 'gateway',
  host,
  port: bindPort(config),
  log,
  // /readyz → 503 first, so the load balancer stops sending new requests; open SSE streams and downloads then get
  // the grace period and are cut (clients reconnect to another replica)
  drain: () => gw.lifecycle.markStopping(),
  close: [() => limits.close(), () => bus?.close(), () => dbh.close(), () => shutdownTelemetry()],
});
gw.lifecycle.markReady();
log.info({ host, port, tools: config.PLANEXE_TOOLS_URL, stream: config.PLANEXE_STREAM_URL, artifacts: config.PLANEXE_ARTIFACTS_URL }, 'gateway listening');
