/** `npm start`: every service in one process on embedded infrastructure (PGlite or Postgres, in-memory queue and bus). */
import { bindPort, exitOnProblems, loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { createPgliteDb, createPostgresDb, listUnfinishedPlans, migrate } from '@planexe/db';
import { serve } from '@planexe/http';
import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { urls } from '@planexe/contracts';
import { ReachabilityModelCatalog } from '@planexe/llm';
import { createLogger } from '@planexe/telemetry';
import { createStandaloneApp } from './app.ts';
import { startupProblems } from './startupChecks.ts';
import { clientSnippet } from './clientSnippet.ts';
import { startInProcessWorker } from './inProcessWorker.ts';

// one command on a laptop: auth is off unless asked for (the distributed services keep the spec default, on)
const env = { ...process.env, PLANEXE_MCP_REQUIRE_AUTH: process.env.PLANEXE_MCP_REQUIRE_AUTH ?? 'false' };
const config = loadServiceConfigOrExit('standalone', 'planexe', env);
exitOnProblems('planexe', startupProblems(config));

const log = createLogger('planexe-standalone', config.PLANEXE_LOG_LEVEL);
const pgUrl = postgresUrl(config);
const dbh = pgUrl ? createPostgresDb(pgUrl) : await createPgliteDb(config.PLANEXE_DATA_DIR);
const applied = await migrate(dbh.db);
if (applied.length) log.info({ applied }, 'database migrated');

const queue = new MemoryQueue();
const bus = new MemoryBus();
const limits = new MemoryLimits();
const host = config.PLANEXE_MCP_HTTP_HOST;
const models = new ReachabilityModelCatalog(config, process.env);
// a local Ollama / LM Studio is found by itself and joins the baseline profile
const local = await models.discoverLocal();
if (local.length) log.info({ models: local.map((m) => m.key) }, 'local models found');
const sa = await createStandaloneApp({ db: dbh.db, queue, bus, limits, config, log, bindHost: host, models });
const worker = await startInProcessWorker({ db: dbh.db, bus, queue, log, config, localEntries: local });

// re-feed the in-process queue: pending plans, and processing plans a crash left behind
for (const p of await listUnfinishedPlans(dbh.db)) await queue.enqueue({ plan_id: p.id, attempt: p.attempt });

const { port } = await serve(sa.app.callback(), {
  name: 'planexe',
  host,
  port: bindPort(config),
  log,
  drain: () => sa.drain(), // /readyz answers 503 from now on; plan_status waits answer now
  graceMs: 5_000,
  close: [() => worker.stop(), () => queue.close(), () => sa.close(), () => bus.close(), () => limits.close(), () => dbh.close()],
});
const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const url = urls.mcp(`http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`);
process.stderr.write(
  `\nPlanExe MCP server is running (standalone, ${dbh.kind === 'pglite' ? `embedded database in ${config.PLANEXE_DATA_DIR}` : 'Postgres'}).\n` +
    `  MCP endpoint: ${url}\n  Auth: ${config.PLANEXE_MCP_REQUIRE_AUTH ? 'required (X-API-Key)' : 'off'}\n\n` +
    `Client config (Cursor, LM Studio, any client taking mcpServers JSON):\n${clientSnippet(url)}\n\n`,
);
