import { createServer } from 'node:http';
import { bindPort, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPgliteDb, createPostgresDb, listUnfinishedPlans, migrate } from '@planexe/db';
import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { urls } from '@planexe/contracts';
import { createLogger } from '@planexe/telemetry';
import { createStandaloneApp } from './app.ts';
import { startupProblems } from './startupChecks.ts';
import { clientSnippet } from './clientSnippet.ts';
import { startInProcessWorker } from './inProcessWorker.ts';
import { ReachabilityModelCatalog } from '@planexe/llm';
import { PIPELINE_STEPS, expectedFiles } from '@planexe/worker';

// one command on a laptop: auth is off unless asked for (the distributed services keep the spec default, on)
const env = { ...process.env, PLANEXE_MCP_REQUIRE_AUTH: process.env.PLANEXE_MCP_REQUIRE_AUTH ?? 'false' };

const config = loadServiceConfigOrExit('standalone', 'planexe', env);
const problems = startupProblems(config);
if (problems.length) {
  for (const p of problems) console.error(`planexe: ${p}`);
  process.exit(2);
}

const log = createLogger('planexe-standalone', config.PLANEXE_LOG_LEVEL);
const pgUrl = postgresUrl(config);
const dbh = pgUrl ? createPostgresDb(pgUrl) : await createPgliteDb(config.PLANEXE_DATA_DIR);
const applied = await migrate(dbh.db);
if (applied.length) log.info({ applied }, 'database migrated');

const queue = new MemoryQueue();
const bus = new MemoryBus();
const limits = new MemoryLimits();
const host = config.PLANEXE_MCP_HTTP_HOST;
const port = bindPort(config);
const models = new ReachabilityModelCatalog(config, process.env);
// a local Ollama / LM Studio is found by itself and joins the baseline profile
const local = await models.discoverLocal();
if (local.length) log.info({ models: local.map((m) => m.key) }, 'local models found');
const sa = await createStandaloneApp({ db: dbh.db, queue, bus, limits, config, log, bindHost: host, models });
const worker = await startInProcessWorker({
  db: dbh.db,
  bus,
  queue,
  log,
  config,
  steps: PIPELINE_STEPS,
  expected: expectedFiles(PIPELINE_STEPS),
  localEntries: local,
});

// re-feed the in-process queue: pending plans, and processing plans a crash left behind
for (const p of await listUnfinishedPlans(dbh.db)) await queue.enqueue({ plan_id: p.id, attempt: p.attempt });

const server = createServer(sa.app.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  const addr = server.address();
  const realPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = urls.mcp(`http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${realPort}`);
  process.stderr.write(
    `\nPlanExe MCP server is running (standalone, ${dbh.kind === 'pglite' ? `embedded database in ${config.PLANEXE_DATA_DIR}` : 'Postgres'}).\n` +
      `  MCP endpoint: ${url}\n  Auth: ${config.PLANEXE_MCP_REQUIRE_AUTH ? 'required (X-API-Key)' : 'off'}\n\n` +
      `Client config (Cursor, LM Studio, any client taking mcpServers JSON):\n${clientSnippet(url)}\n\n`,
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  sa.lifecycle.markStopping(); // /readyz answers 503 from now on
  server.close();
  server.closeIdleConnections?.();
  setTimeout(() => server.closeAllConnections?.(), 5_000).unref();
  await worker.stop();
  await queue.close();
  await sa.close();
  await bus.close();
  await limits.close();
  await dbh.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
