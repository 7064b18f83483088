/**
 * The process under measurement: the artifacts service plus a raw file-to-socket route as the anchor, and /gc so
 * every download starts from a collected heap. Two databases:
 *   BENCH_DB=postgres (BENCH_DB_URL) — distributed: Postgres, run.zip streamed by COPY
 *   BENCH_DB=pglite                  — standalone: embedded PGlite in this process (what `npm start` runs)
 * With BENCH_SEED_ZIP it stores that file as a completed plan's run.zip through the worker's own writer (finishRun),
 * so the bench follows however the database keeps artifacts. Prints `port=<n> plan=<id|->`.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { DownloadTokens } from '@planexe/auth';
import { createPostgresDb, finishRun, insertPlan, type DbHandle } from '@planexe/db';
import { silentLogger } from '@planexe/telemetry';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { createArtifactsService } from '../src/index.ts';

const env = process.env;
const pglite = env.BENCH_DB === 'pglite';
const dbh: DbHandle = pglite ? await createTestPgliteDb() : createPostgresDb(env.BENCH_DB_URL!, { max: 4 });

let planId = '-';
if (env.BENCH_SEED_ZIP) {
  const plan = await insertPlan(dbh.db, { prompt: 'bench', userId: 'bench', apiKeyId: null, parameters: {} });
  await dbh.db.updateTable('plans').set({ state: 'processing' }).where('id', '=', plan.id).execute();
  const done = await finishRun(dbh.db, { planId: plan.id, attempt: plan.attempt ?? 0 }, { state: 'completed', stepsTotal: 1 }, { reportHtml: '<html></html>', zip: readFileSync(env.BENCH_SEED_ZIP), activityOverview: null });
  if (!done) throw new Error('seeding the run.zip failed (finishRun wrote nothing)');
  planId = plan.id;
}

const service = createArtifactsService(
  { db: dbh.db, tokens: new DownloadTokens([env.BENCH_TOKEN_SECRET], 900), log: silentLogger() },
  {
    runDir: env.BENCH_RUN_DIR,
    workerPlanUrl: env.BENCH_WORKER_URL,
    workerMaxBytes: 400_000_000,
    postgresUrl: pglite ? undefined : env.BENCH_DB_URL,
  },
);
const app = new Koa();
app.silent = true; // a client closing right after the last byte is not news
app.use(async (ctx, next) => {
  if (ctx.path === '/gc') {
    (globalThis as { gc?: () => void }).gc?.();
    ctx.body = { rss: process.memoryUsage().rss };
    return;
  }
  if (ctx.path === '/raw') {
    const file = env.BENCH_RAW_FILE!;
    ctx.type = 'application/zip';
    ctx.length = statSync(file).size;
    ctx.body = createReadStream(file, { highWaterMark: 256 * 1024 });
    return;
  }
  await next();
});
app.use(service.middleware);
const server = createServer(app.callback());
server.listen(0, '127.0.0.1', () => process.stdout.write(`port=${(server.address() as AddressInfo).port} plan=${planId}\n`));
process.on('SIGTERM', async () => {
  server.close();
  await service.close();
  await dbh.close();
  process.exit(0);
});
