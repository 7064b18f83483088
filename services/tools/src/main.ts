/**
 * The tools service as its own process (distributed mode, behind the gateway): MCP Streamable HTTP and the REST
 * bridge over Postgres, BullMQ on Redis and NATS. It serves only requests that carry PLANEXE_INTERNAL_SECRET, and
 * trusts the caller the gateway forwards with them.
 */
import { createServer } from 'node:http';
import { DownloadTokens, KeyCache } from '@planexe/auth';
import { bindPort, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { spanName } from '@planexe/contracts';
import { matchedRoute } from '@planexe/http';
import { createPostgresDb, migrate } from '@planexe/db';
import { BullMqQueue, NatsBus, natsTraceHooks } from '@planexe/infra';
import { createLogger, initTelemetry, koaTracing, shutdownTelemetry } from '@planexe/telemetry';
import { ReachabilityModelCatalog } from '@planexe/llm';
import { createToolsApp } from './app.ts';
import { createConfiguredToolsService } from './configuredService.ts';

const config = loadServiceConfigOrExit('tools', 'planexe-tools');
const missing = (['PLANEXE_INTERNAL_SECRET', 'PLANEXE_REDIS_URL', 'PLANEXE_NATS_URL'] as const).filter((k) => !config[k]);
if (missing.length) {
  console.error(`planexe-tools: ${missing.join(', ')} required in distributed mode (standalone runs the tools in-process).`);
  process.exit(2);
}

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
const tokens = new DownloadTokens([config.PLANEXE_DOWNLOAD_TOKEN_SECRET, config.PLANEXE_API_KEY_SECRET], config.PLANEXE_DOWNLOAD_TOKEN_TTL);
const tools = await createConfiguredToolsService({
  db: dbh.db,
  queue,
  bus,
  tokens,
  keyCache: new KeyCache(5_000),
  log,
  config,
  models: new ReachabilityModelCatalog(config, process.env),
});
let stopping = false;
const app = createToolsApp(tools.service, {
  internalSecret: config.PLANEXE_INTERNAL_SECRET!,
  log,
  ready: () => !stopping,
  before: tracing ? [koaTracing('planexe-tools', (ctx) => spanName(ctx.method, matchedRoute(ctx)?.route))] : [], // continues the gateway's trace (traceparent)
});

const host = config.PLANEXE_MCP_HTTP_HOST;
const port = bindPort(config);
const server = createServer(app.callback());
server.keepAliveTimeout = 65_000; // outlives the gateway's pooled connections' idle time
server.listen(port, host, () => log.info({ host, port }, 'tools service listening'));

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'tools service shutting down');
  server.close();
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 10_000).unref();
  await tools.close();
  await queue.close();
  await bus.close();
  await dbh.close();
  await shutdownTelemetry();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
