/**
 * The process under measurement: the artifacts service (COPY streaming on Postgres, run dir, worker URL) plus a
 * raw file-to-socket route as the baseline, and /gc so every run starts from a collected heap. Prints `port=<n>`.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { DownloadTokens } from '@planexe/auth';
import { createPostgresDb } from '@planexe/db';
import { silentLogger } from '@planexe/telemetry';
import { createArtifactsService } from '../src/index.ts';

const env = process.env;
const dbh = createPostgresDb(env.BENCH_DB_URL!, { max: 4 });
const service = createArtifactsService(
  { db: dbh.db, tokens: new DownloadTokens([env.BENCH_TOKEN_SECRET], 900), log: silentLogger() },
  {
    runDir: env.BENCH_RUN_DIR,
    workerPlanUrl: env.BENCH_WORKER_URL,
    workerMaxBytes: 400_000_000,
    postgresUrl: env.BENCH_COPY === '0' ? undefined : env.BENCH_DB_URL,
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
server.listen(0, '127.0.0.1', () => process.stdout.write(`port=${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', async () => {
  server.close();
  await service.close();
  await dbh.close();
  process.exit(0);
});
