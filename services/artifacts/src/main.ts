/**
 * The artifacts service as its own process (distributed mode): signed downloads behind the gateway, stored
 * artifacts streamed from Postgres, the run dir and the worker run-file API as fallbacks. SIGTERM stops accepting
 * new downloads and gives running ones a grace period.
 */
import { downloadTokensFromConfig } from '@planexe/auth';
import { bindPort, buildOrExit, exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPostgresDb, migrate } from '@planexe/db';
import { serve } from '@planexe/http';
import { createLogger } from '@planexe/telemetry';
import { artifactsFromConfig, createArtifactsApp } from './app.ts';

const config = loadServiceConfigOrExit('artifacts', 'planexe-artifacts');
exitOnProblems('planexe-artifacts', [
  !config.PLANEXE_INTERNAL_SECRET && 'PLANEXE_INTERNAL_SECRET is required (the gateway sends it; nothing else may reach this service).',
  !config.PLANEXE_DOWNLOAD_TOKEN_SECRET && !config.PLANEXE_API_KEY_SECRET &&
    'set PLANEXE_DOWNLOAD_TOKEN_SECRET (or PLANEXE_API_KEY_SECRET): replicas must share the token secret.',
]);
const tokens = buildOrExit('planexe-artifacts', () => downloadTokensFromConfig(config));
const log = createLogger('planexe-artifacts', config.PLANEXE_LOG_LEVEL);
const url = postgresUrl(config, 'database_postgres')!;
const dbh = createPostgresDb(url);
await migrate(dbh.db);
const service = artifactsFromConfig(config, { db: dbh.db, log, tokens, postgresUrl: url });
let draining = false;
const app = createArtifactsApp(service, { internalSecret: config.PLANEXE_INTERNAL_SECRET!, log, ready: () => !draining });
const { port } = await serve(app.callback(), {
  name: 'artifacts service',
  host: config.PLANEXE_MCP_HTTP_HOST,
  port: bindPort(config),
  log,
  drain: () => void (draining = true),
  graceMs: 20_000,
  close: [() => service.close(), () => dbh.close()],
});
log.info({ port, keys: service.tokens.keyIds, worker: !!config.PLANEXE_WORKER_PLAN_URL }, 'artifacts service listening');
