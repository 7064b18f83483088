/**
 * Start-up time to ready and idle RSS of every service, run from the TypeScript sources through tsx (development)
 * and from the compiled bundles with plain node (production, `npm run build` first). Each service runs alone against
 * the local Postgres (a fresh, migrated database), Redis and NATS, as in the distributed run (standalone too: it takes
 * Postgres when SQLALCHEMY_DATABASE_URI is set). "Ready" is the first 200 from /readyz (the worker: /healthcheck of its run-file API, which it opens
 * after its queue consumer has started). RSS is read from /proc after 5 s idle. Prints a table; asserts nothing.
 *   npm run build && npm run bench:startup [-- --runs 3]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createTestPostgresDb, REDIS_URL, NATS_URL } from '@planexe/testing/infra';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVICES = ['gateway', 'tools', 'stream', 'artifacts', 'worker', 'standalone'] as const;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, idle: { type: 'string', default: '5000' } } });
const RUNS = Number(values.runs);
const IDLE_MS = Number(values.idle);

if (!existsSync(join(ROOT, 'dist/gateway/main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const db = await createTestPostgresDb();
const ns = `startup${randomBytes(4).toString('hex')}`;

async function once(service: (typeof SERVICES)[number], mode: 'tsx' | 'compiled') {
  const port = await freePort();
  const workerPort = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    PORT: String(service === 'worker' ? workerPort : port),
    PLANEXE_WORKER_HTTP_PORT: String(workerPort),
    PLANEXE_MCP_HTTP_HOST: '127.0.0.1',
    SQLALCHEMY_DATABASE_URI: db.url,
    PLANEXE_REDIS_URL: REDIS_URL,
    PLANEXE_NATS_URL: NATS_URL,
    PLANEXE_REDIS_PREFIX: ns,
    PLANEXE_NATS_NAMESPACE: ns,
    PLANEXE_INTERNAL_SECRET: 'bench-internal',
    PLANEXE_API_KEY_SECRET: 'bench-keys',
    PLANEXE_DOWNLOAD_TOKEN_SECRET: 'bench-downloads',
    PLANEXE_MCP_REQUIRE_AUTH: 'false',
    PLANEXE_LOG_LEVEL: 'warn',
    PLANEXE_DATA_DIR: mkdtempSync(join(tmpdir(), 'planexe-startup-')),
    PLANEXE_RUN_DIR: mkdtempSync(join(tmpdir(), 'planexe-startup-run-')),
  };
  const args = mode === 'tsx' ? ['--import', 'tsx', `services/${service}/src/main.ts`] : ['--enable-source-maps', `dist/${service}/main.js`];
  const url = `http://127.0.0.1:${service === 'worker' ? workerPort : port}${service === 'worker' ? '/healthcheck' : '/readyz'}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'ignore'] });
  let readyMs = NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${service} (${mode}) exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) {
      readyMs = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 60_000) throw new Error(`${service} (${mode}) not ready in 60 s`);
    await sleep(10);
  }
  await sleep(IDLE_MS);
  const rss = rssMiB(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
  return { readyMs, rss };
}

const rows: string[] = [];
try {
  for (const service of SERVICES) {
    const r: Record<string, { ready: number[]; rss: number[] }> = { tsx: { ready: [], rss: [] }, compiled: { ready: [], rss: [] } };
    for (let i = 0; i < RUNS; i++) {
      for (const mode of ['tsx', 'compiled'] as const) {
        const x = await once(service, mode);
        r[mode].ready.push(x.readyMs);
        r[mode].rss.push(x.rss);
      }
    }
    const f = (mode: string) => `${median(r[mode].ready).toFixed(0).padStart(6)} ms ${median(r[mode].rss).toFixed(0).padStart(5)} MiB`;
    rows.push(`| ${service.padEnd(10)} | ${f('tsx')} | ${f('compiled')} |`);
  }
} finally {
  await db.close();
}
console.log(`median of ${RUNS} runs each, RSS after ${IDLE_MS / 1000} s idle, Node ${process.version}\n`);
console.log('| service    | tsx: ready, RSS       | compiled: ready, RSS  |');
console.log('|------------|-----------------------|-----------------------|');
console.log(rows.join('\n'));
