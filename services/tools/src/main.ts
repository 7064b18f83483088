/**
 * The tools service as its own process (distributed mode, behind the gateway): MCP Streamable HTTP and the REST
 * bridge over Postgres, BullMQ on Redis and NATS. It serves only requests that carry PLANEXE_INTERNAL_SECRET, and
 * trusts the caller the gateway forwards with them.
 */
import { downloadTokensFromConfig } from '@planexe/auth';
import { bindPort, buildOrExit, exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { spanName } from '@planexe/contracts';
import { matchedRoute, serve } from '@planexe/http';
import { createPostgresDb, migrate } from '@planexe/db';
import { BullMqQueue, NatsBus, RedisLimits, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry, koaTracing, shutdownTelemetry } from '@planexe/telemetry';
import { ReachabilityModelCatalog } from '@planexe/llm';
import { createToolsApp } from './app.ts';
import { toolsFromConfig } from './configuredService.ts';

const config = loadServiceConfigOrExit('tools', 'planexe-tools');
const missing = (['PLANEXE_INTERNAL_SECRET', 'PLANEXE_REDIS_URL', 'PLANEXE_NATS_URL'] as const).filter((k) => !config[k]);
exitOnProblems('planexe-tools', [missing.length > 0 && `${missing.join(', ')} required in distributed mode (standalone runs the tools in-process).`]);
const tokens = buildOrExit('planexe-tools', () => downloadTokensFromConfig(config));

const tracing = initTelemetry({ serviceName: 'planexe-tools', endpoint: config.PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger('planexe-tools', config.PLANEXE_LOG_LEVEL);
const dbh = createPostgresDb(postgresUrl(config, 'database_postgres')!);
await migrate(dbh.db);
const bus = await NatsBus.connect({
  servers: config.PLANEXE_NATS_URL,
  namespace: config.PLANEXE_NATS_NAMESPACE,
  name: 'planexe-tools',
  waitOnFirstConnect: true,
  ...natsTraceHooks,
});
const queue = new BullMqQueue({
  connection: config.PLANEXE_REDIS_URL!,
  prefix: config.PLANEXE_REDIS_PREFIX,
  onError: (err) => log.warn({ err: err.message }, 'queue error'),
});
// the stream replicas' connection caps: plan_status waits and subscriptions/listen streams hold slots there too
const limits = new RedisLimits({
  connection: config.PLANEXE_REDIS_URL!,
  keyPrefix: `${config.PLANEXE_REDIS_PREFIX}:limits:`,
  onError: (err) => log.warn({ err: err.message }, 'limits error'),
});
const tools = await toolsFromConfig(config, { db: dbh.db, queue, bus, limits, tokens, log, models: new ReachabilityModelCatalog(config, process.env) });
let stopping = false;
const app = createToolsApp(tools.service, {
  internalSecret: config.PLANEXE_INTERNAL_SECRET!,
  log,
  ready: () => !stopping,
  before: tracing ? [koaTracing('planexe-tools', (ctx) => spanName(ctx.method, matchedRoute(ctx)?.route))] : [], // continues the gateway's trace (traceparent)
});
const host = config.PLANEXE_MCP_HTTP_HOST;
const { port } = await serve(app.callback(), {
  name: 'tools service',
  host,
  port: bindPort(config),
  log,
  drain: () => {
    stopping = true;
    tools.drain(); // waits answer now: the grace period is shorter than a wait
  },
  close: [() => tools.close(), () => queue.close(), () => limits.close(), () => bus.close(), () => dbh.close(), () => shutdownTelemetry()],
});
log.info({ host, port }, 'tools service listening');
