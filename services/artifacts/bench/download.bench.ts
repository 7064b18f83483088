/**
 * Download benchmark (prints a table, asserts nothing): a 200 MB artifact from every source of the chain, each
 * measured against raw file-to-socket in the same run, with the serving process's RSS growth.
 *   npx tsx services/artifacts/bench/download.bench.ts      (BENCH_MB=200, BENCH_RUNS=3; needs Postgres on loopback)
 * The service runs in its own process (bench/benchServer.ts) so the RSS is the service's alone; the worker
 * run-file API is the real runFilesApp in a third process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DownloadTokens } from '@planexe/auth';
import { insertPlan } from '@planexe/db';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';

const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MB ?? 200) * MB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECRET = 'bench-download-secret';
const root = join(import.meta.dirname, '..', '..', '..');

if (!(await postgresAvailable())) {
  console.error('download bench: Postgres is not reachable on loopback');
  process.exit(1);
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function startProcess(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += String(c);
      const m = /port=(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

function download(port: number, path: string): Promise<{ bytes: number; ms: number; status: number; source?: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ bytes, ms: performance.now() - t0, status: res.statusCode!, source: res.headers['x-planexe-source'] as string | undefined }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function measure(proc: { child: ChildProcess; port: number }, path: string) {
  await download(proc.port, '/gc');
  await new Promise((r) => setTimeout(r, 100));
  const pid = proc.child.pid!;
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 5);
  try {
    const r = await download(proc.port, path);
    return { ...r, growth: Math.max(peak, rssOf(pid)) - before };
  } finally {
    clearInterval(timer);
  }
}

// ---- data: one incompressible 200 MB file, and a zip holding it (stored) as report.html
const work = await mkdtemp(join(tmpdir(), 'planexe-bench-'));
const rawFile = join(work, 'raw.bin');
const zipFile = join(work, 'snapshot.zip');
{
  const fh = await open(rawFile, 'w');
  for (let done = 0; done < SIZE; done += 8 * MB) await fh.write(randomBytes(Math.min(8 * MB, SIZE - done)));
  await fh.close();
  // a minimal stored zip: local header, data, central directory, end record (sizes < 4 GiB)
  const { crc32 } = await import('node:zlib');
  let crc = 0;
  const src = await open(rawFile, 'r');
  for await (const c of src.createReadStream({ highWaterMark: 8 * MB })) crc = crc32(c as Buffer, crc);
  const name = Buffer.from('report.html');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(SIZE, 18);
  local.writeUInt32LE(SIZE, 22);
  local.writeUInt16LE(name.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  local.copy(cd, 16, 14, 26); // crc and sizes
  cd.writeUInt16LE(name.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(30 + name.length + SIZE, 16);
  const out = await open(zipFile, 'w');
  await out.write(Buffer.concat([local, name]));
  for await (const c of (await open(rawFile, 'r')).createReadStream({ highWaterMark: 8 * MB })) await out.write(c as Buffer);
  await out.write(Buffer.concat([cd, name, eocd]));
  await out.close();
  await src.close();
}

const dbh = await createTestPostgresDb();
try {
  const plan = async () => (await insertPlan(dbh.db, { prompt: 'bench', userId: 'bench', apiKeyId: null, parameters: {} })).id;
  const [planDb, planRunDir, planWorker] = [await plan(), await plan(), await plan()];
  {
    // the snapshot goes in as 8 MB rows, glued together inside Postgres (a 200 MB bind parameter would be a 400 MB hex string here)
    await sql`create table bench_chunks (n int, data bytea)`.execute(dbh.db);
    const fh = await open(zipFile, 'r');
    let n = 0;
    for await (const c of fh.createReadStream({ highWaterMark: 8 * MB })) await sql`insert into bench_chunks values (${n++}, ${c as Buffer})`.execute(dbh.db);
    await sql`update plans set state = 'completed', run_artifact_layout_version = 2,
      run_zip_snapshot = (select string_agg(data, ''::bytea order by n) from bench_chunks) where id = ${planDb}`.execute(dbh.db);
    await sql`drop table bench_chunks`.execute(dbh.db);
  }
  const runDir = join(work, 'run');
  const workerDir = join(work, 'worker');
  await mkdir(join(runDir, planRunDir), { recursive: true });
  await mkdir(join(workerDir, planWorker), { recursive: true });
  await copyFile(rawFile, join(runDir, planRunDir, 'report.html'));
  await copyFile(rawFile, join(workerDir, planWorker, 'report.html'));

  const worker = await startProcess(['--import', 'tsx', 'services/artifacts/test/fixtures/runFilesServer.ts', workerDir], {});
  const serverEnv = { BENCH_DB_URL: dbh.url, BENCH_TOKEN_SECRET: SECRET, BENCH_RUN_DIR: runDir, BENCH_WORKER_URL: `http://127.0.0.1:${worker.port}`, BENCH_RAW_FILE: rawFile };
  const server = await startProcess(['--expose-gc', '--import', 'tsx', 'services/artifacts/bench/benchServer.ts'], serverEnv);
  const serverNoCopy = await startProcess(['--expose-gc', '--import', 'tsx', 'services/artifacts/bench/benchServer.ts'], { ...serverEnv, BENCH_COPY: '0' });

  const tokens = new DownloadTokens([SECRET], 900);
  const url = (id: string, file: 'report.html' | 'run.zip') => `/download/${id}/${file}?token=${tokens.sign(id, file).token}`;
  const cases: { label: string; proc: typeof server; path: () => string; runs?: number; note?: string }[] = [
    { label: 'raw file → socket (baseline)', proc: server, path: () => '/raw' },
    { label: 'db: run.zip snapshot (COPY)', proc: server, path: () => url(planDb, 'run.zip'), note: 'first run includes sha256 in Postgres' },
    { label: 'db: run.zip snapshot (substring slices)', proc: serverNoCopy, path: () => url(planDb, 'run.zip') },
    { label: 'zip: report.html from the snapshot', proc: server, path: () => url(planDb, 'report.html'), note: 'first run hashes the entry (2 passes)' },
    { label: 'rundir: report.html file', proc: server, path: () => url(planRunDir, 'report.html'), note: 'first run hashes the file' },
    { label: 'rundir: run.zip built from the dir', proc: server, path: () => url(planRunDir, 'run.zip'), note: 'zip written to a temp file, then sent' },
    { label: 'worker: report.html over HTTP', proc: server, path: () => url(planWorker, 'report.html'), note: 'spooled to a temp file while hashed' },
    { label: 'worker: run.zip over HTTP', proc: server, path: () => url(planWorker, 'run.zip'), runs: 1, note: 'the worker zips in memory first' },
  ];

  type Row = { label: string; first: number; best: number; growth: number; source: string; note?: string };
  const rows: Row[] = [];
  for (const c of cases) {
    const times: number[] = [];
    let growth = 0;
    let source = '-';
    for (let i = 0; i < (c.runs ?? RUNS); i++) {
      const r = await measure(c.proc, c.path());
      if (r.status !== 200 || (c.label.includes('run.zip') ? r.bytes < SIZE : r.bytes !== SIZE)) throw new Error(`${c.label}: status ${r.status}, ${r.bytes} bytes`);
      times.push(r.ms);
      growth = Math.max(growth, r.growth);
      source = r.source ?? 'raw';
    }
    rows.push({ label: c.label, first: times[0], best: Math.min(...times), growth, source, note: c.note });
    process.stderr.write(`${c.label}: ${times.map((t) => t.toFixed(0)).join(' / ')} ms\n`);
  }

  // Postgres's own rate for the same bytes, read by COPY in this process and discarded: the ceiling of the db rows
  const pgClient = new pg.Client({ connectionString: dbh.url });
  await pgClient.connect();
  let ceiling = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const s = pgClient.query(copyTo(`COPY (select run_zip_snapshot from plans where id = '${planDb}') TO STDOUT (FORMAT binary)`));
    for await (const _ of s) void _;
    ceiling = Math.min(ceiling, performance.now() - t0);
  }
  await pgClient.end();

  const raw = rows[0].best;
  const mbps = (ms: number) => SIZE / MB / (ms / 1000);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\nDownload of a ${SIZE / MB} MB artifact, ${RUNS} runs (best / first), service RSS growth = peak − before (max over runs)\n`);
  console.log(`${pad('source', 42)} ${pad('X-PlanExe-Source', 17)} ${pad('best s', 7)} ${pad('MB/s', 7)} ${pad('% raw', 6)} ${pad('first s', 8)} ${pad('RSS +MB', 8)} note`);
  for (const r of rows) {
    console.log(
      `${pad(r.label, 42)} ${pad(r.source, 17)} ${pad((r.best / 1000).toFixed(2), 7)} ${pad(mbps(r.best).toFixed(0), 7)} ${pad(((100 * raw) / r.best).toFixed(0) + '%', 6)} ${pad((r.first / 1000).toFixed(2), 8)} ${pad((r.growth / MB).toFixed(1), 8)} ${r.note ?? ''}`,
    );
  }
  console.log(`${pad('(Postgres COPY of the same value, no HTTP)', 42)} ${pad('-', 17)} ${pad((ceiling / 1000).toFixed(2), 7)} ${pad(mbps(ceiling).toFixed(0), 7)} ${pad(((100 * raw) / ceiling).toFixed(0) + '%', 6)}`);

} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await dbh.close();
  await rm(work, { recursive: true, force: true });
}
