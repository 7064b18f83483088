/**
 * The artifacts service as its own process (distributed mode): signed downloads behind the gateway, stored
 * artifacts streamed from Postgres, the run dir and the worker run-file API as fallbacks. SIGTERM stops accepting
 * new downloads and gives running ones a grace period.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DownloadTokens } from '@planexe/auth';
import { bindPort, ConfigError, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { createLogger } from '@planexe/telemetry';
import { createArtifactsApp, createArtifactsService } from './app.ts';
import { loadArtifactsConfig } from './artifactsConfig.ts';

let config;
let tokens;
try {
  config = loadArtifactsConfig();
  tokens = new DownloadTokens([config.PLANEXE_DOWNLOAD_TOKEN_SECRET, config.PLANEXE_API_KEY_SECRET], config.PLANEXE_DOWNLOAD_TOKEN_TTL, {
    keyring: config.PLANEXE_DOWNLOAD_TOKEN_KEYS,
  });
} catch (e) {
  if (e instanceof ConfigError || e instanceof Error) {
    console.error(`planexe-artifacts: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
if (!config.PLANEXE_INTERNAL_SECRET) {
  console.error('planexe-artifacts: PLANEXE_INTERNAL_SECRET is required (the gateway sends it; nothing else may reach this service).');
  process.exit(2);
}
if (tokens.ephemeral) {
  console.error('planexe-artifacts: set PLANEXE_DOWNLOAD_TOKEN_SECRET (or PLANEXE_API_KEY_SECRET): replicas must share the token secret.');
  process.exit(2);
}
const log = createLogger('planexe-artifacts', config.PLANEXE_LOG_LEVEL);
const url = postgresUrl(config, 'database_postgres')!;
const dbh = createPostgresDb(url);
await migrate(dbh.db);
const service = createArtifactsService(
  { db: dbh.db, tokens, log },
  {
    runDir: config.PLANEXE_RUN_DIR,
    workerPlanUrl: config.PLANEXE_WORKER_PLAN_URL,
    internalSecret: config.PLANEXE_INTERNAL_SECRET,
    workerMaxBytes: config.PLANEXE_ARTIFACTS_WORKER_MAX_BYTES,
    postgresUrl: url,
    copyPoolSize: config.PLANEXE_ARTIFACTS_COPY_CONNECTIONS,
  },
);
let draining = false;
const app = createArtifactsApp(service, { internalSecret: config.PLANEXE_INTERNAL_SECRET, log, ready: () => !draining });
const server = createServer(app.callback());
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(bindPort(config), config.PLANEXE_MCP_HTTP_HOST, resolve));
log.info({ port: (server.address() as AddressInfo).port, keys: tokens.keyIds, worker: !!config.PLANEXE_WORKER_PLAN_URL }, 'artifacts service listening');

async function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  log.info({ signal }, 'artifacts service draining');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 20_000).unref();
  await closed;
  await service.close();
  await dbh.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
