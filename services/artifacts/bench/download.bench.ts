/**
 * Download benchmark: a 200 MB run.zip (--quick: 20 MB) from the database against raw file-to-socket, in the same
 * server process, in interleaved rounds (raw, db, raw, db, …), in both run modes: standalone on PGlite and
 * distributed on Postgres (COPY streaming). The service runs in its own process (bench/benchServer.ts) so the RSS
 * growth (peak − before, sampled every 5 ms) is the service's alone. Full run only, beside them: report.html from the
 * snapshot, the run dir and the worker's run-file API (the real runFilesApp in a third process), and Postgres's own
 * COPY rate for the same bytes. A download that is not 200 with every byte fails the benchmark (no figure).
 *   npm run bench:artifacts [-- --quick]      (BENCH_MB, BENCH_ROUNDS override; needs Postgres on loopback)
 * Goals: artifact-vs-raw (the worse mode's median raw time ÷ db time), artifact-rss (the worse mode's peak RSS
 * growth minus the raw anchor's).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DownloadTokens } from '@planexe/auth';
import { insertPlan } from '@planexe/db';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { BenchFailure, benchMain, goal, measuring, median, QUICK, startNode, stopChild } from '../../../scripts/bench/kit.ts';

const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MB ?? (QUICK ? 20 : 200)) * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECRET = 'bench-download-secret';
const root = join(import.meta.dirname, '..', '..', '..');

interface Proc {
  child: ChildProcess;
  port: number;
  plan: string;
}

async function startProcess(file: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Proc> {
  const { child, match } = await startNode(file, args, /port=(\d+)(?: plan=(\S+))?/, { cwd: root, env: { ...process.env, ...env }, nodeArgs });
  return { child, port: Number(match[1]), plan: match[2] ?? '-' };
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** A download that takes longer than this fails the benchmark rather than holding `npm run bench` for an hour. */
const DEADLINE_MS = Number(process.env.BENCH_DOWNLOAD_DEADLINE_S ?? 300) * 1000;

function download(port: number, path: string): Promise<{ bytes: number; ms: number; status: number; source?: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ bytes, ms: performance.now() - t0, status: res.statusCode!, source: res.headers['x-planexe-source'] as string | undefined });
        });
        res.on('error', reject);
      })
      .on('error', reject);
    const deadline = setTimeout(() => {
      req.destroy();
      reject(new BenchFailure(`${path.split('?')[0]}: not downloaded within ${DEADLINE_MS / 1000} s`));
    }, DEADLINE_MS);
  });
}

/** One download after a full GC, with the serving process's peak RSS growth; fails unless 200 with `expected` bytes. */
async function measure(proc: Proc, label: string, path: string, expected: number) {
  await download(proc.port, '/gc');
  await new Promise((r) => setTimeout(r, 100));
  const pid = proc.child.pid!;
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 5);
  try {
    const r = await download(proc.port, path);
    if (r.status !== 200 || r.bytes !== expected) throw new BenchFailure(`${label}: HTTP ${r.status}, ${r.bytes} of ${expected} bytes`);
    return { ...r, growth: Math.max(peak, rssOf(pid)) - before };
  } finally {
    clearInterval(timer);
  }
}

benchMain('artifacts', async () => {
  if (!(await postgresAvailable())) throw new BenchFailure('Postgres is not reachable on loopback');
  const work = await mkdtemp(join(tmpdir(), 'planexe-bench-'));
  const dbh = await createTestPostgresDb();
  const procs: Proc[] = [];
  try {
    // ---- data: one incompressible file of SIZE, and a zip holding it (stored) as report.html
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
    const zipSize = statSync(zipFile).size;
    const tokens = new DownloadTokens([SECRET], 900);
    const url = (id: string, file: 'report.html' | 'run.zip') => `/download/${id}/${file}?token=${tokens.sign(id, file).token}`;
    const serverEnv = { BENCH_TOKEN_SECRET: SECRET, BENCH_RAW_FILE: rawFile, BENCH_SEED_ZIP: zipFile };
    const SERVER = 'services/artifacts/bench/benchServer.ts';
    const mb = (b: number) => (b / MB).toFixed(1);
    const secs = (ms: number) => (ms / 1000).toFixed(2);

    // ---- the goals: run.zip from the database ÷ raw, interleaved, per run mode
    const modes = [
      { name: 'standalone (PGlite)', env: { ...serverEnv, BENCH_DB: 'pglite' } },
      { name: 'distributed (Postgres, COPY)', env: { ...serverEnv, BENCH_DB: 'postgres', BENCH_DB_URL: dbh.url } },
    ];
    const results: { name: string; ratio: number; ratios: number[]; raw: number[]; db: number[]; rawGrowth: number; dbGrowth: number; source: string }[] = [];
    const w = measuring();
    for (const mode of modes) {
      const proc = await startProcess(SERVER, [], mode.env, ['--expose-gc']);
      procs.push(proc);
      const raw: number[] = [];
      const db: number[] = [];
      let rawGrowth = 0;
      let dbGrowth = 0;
      let source = '-';
      for (let i = 0; i < ROUNDS; i++) {
        const r = await measure(proc, `${mode.name}: raw`, '/raw', SIZE);
        const d = await measure(proc, `${mode.name}: run.zip from the database`, url(proc.plan, 'run.zip'), zipSize);
        raw.push(r.ms);
        db.push(d.ms);
        rawGrowth = Math.max(rawGrowth, r.growth);
        dbGrowth = Math.max(dbGrowth, d.growth);
        source = d.source ?? '-';
      }
      const ratios = raw.map((t, i) => t / db[i]);
      results.push({ name: mode.name, ratio: median(ratios), ratios, raw, db, rawGrowth, dbGrowth, source });
      if (mode.name.startsWith('standalone')) await stopChild(proc.child); // PGlite holds the artifact in memory: free it before the next mode
    }
    const loadMax = w.end();

    console.log(`\nrun.zip of ${SIZE / MB} MB from the database vs raw file → socket, ${ROUNDS} interleaved rounds per mode (every download 200 with every byte)\n`);
    console.log('| mode | X-PlanExe-Source | raw s (median) | db s (median) | db ÷ raw throughput (median) | per round | raw RSS +MB (peak) | db RSS +MB (peak) |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.name} | ${r.source} | ${secs(median(r.raw))} | ${secs(median(r.db))} | ${(r.ratio * 100).toFixed(0)}% | ${r.ratios.map((x) => (x * 100).toFixed(0) + '%').join(', ')} | ${mb(r.rawGrowth)} | ${mb(r.dbGrowth)} |`);
    }
    console.log(`1-minute load average during the rounds: max ${loadMax.toFixed(2)}`);
    goal('artifact-vs-raw', Math.min(...results.map((r) => r.ratio)), loadMax);
    goal('artifact-rss', Math.max(...results.map((r) => (r.dbGrowth - r.rawGrowth) / MB)), loadMax);
    if (QUICK) return;

    // ---- the other sources of the chain (full run only), on the distributed server
    const server = procs[procs.length - 1];
    const plan = async () => (await insertPlan(dbh.db, { prompt: 'bench', userId: 'bench', apiKeyId: null, parameters: {} })).id;
    const [planRunDir, planWorker] = [await plan(), await plan()];
    const runDir = join(work, 'run');
    const workerDir = join(work, 'worker');
    await mkdir(join(runDir, planRunDir), { recursive: true });
    await mkdir(join(workerDir, planWorker), { recursive: true });
    await copyFile(rawFile, join(runDir, planRunDir, 'report.html'));
    await copyFile(rawFile, join(workerDir, planWorker, 'report.html'));
    const worker = await startProcess('services/artifacts/test/fixtures/runFilesServer.ts', [workerDir], {});
    procs.push(worker);
    const chain = await startProcess(SERVER, [], { ...serverEnv, BENCH_SEED_ZIP: '', BENCH_DB: 'postgres', BENCH_DB_URL: dbh.url, BENCH_RUN_DIR: runDir, BENCH_WORKER_URL: `http://127.0.0.1:${worker.port}` }, ['--expose-gc']);
    procs.push(chain);
    const cases = [
      { label: 'zip: report.html from the snapshot', proc: server, path: () => url(server.plan, 'report.html'), size: SIZE, note: 'first run hashes the entry (2 passes)' },
      { label: 'rundir: report.html file', proc: chain, path: () => url(planRunDir, 'report.html'), size: SIZE, note: 'first run hashes the file' },
      { label: 'worker: report.html over HTTP', proc: chain, path: () => url(planWorker, 'report.html'), size: SIZE, note: 'spooled to a temp file while hashed' },
    ];
    console.log(`\nOther sources, ${ROUNDS} runs each (best / first), RSS growth = peak − before (max over runs)\n`);
    console.log('| source | X-PlanExe-Source | best s | MB/s | first s | RSS +MB | note |\n|---|---|---|---|---|---|---|');
    for (const c of cases) {
      const times: number[] = [];
      let growth = 0;
      let source = '-';
      for (let i = 0; i < ROUNDS; i++) {
        const r = await measure(c.proc, c.label, c.path(), c.size);
        times.push(r.ms);
        growth = Math.max(growth, r.growth);
        source = r.source ?? '-';
      }
      const best = Math.min(...times);
      console.log(`| ${c.label} | ${source} | ${secs(best)} | ${(SIZE / MB / (best / 1000)).toFixed(0)} | ${secs(times[0])} | ${mb(growth)} | ${c.note} |`);
    }
    // Postgres's own rate for the same bytes, read by COPY in this process and discarded: the ceiling of the db rows
    const pgClient = new pg.Client({ connectionString: dbh.url });
    await pgClient.connect();
    let ceiling = Infinity;
    try {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        const s = pgClient.query(copyTo(`COPY (select c.data from plans p join artifact_chunks c on c.blob_id = p.run_zip_blob_id where p.id = '${server.plan}' order by c.seq) TO STDOUT (FORMAT binary)`));
        for await (const _ of s) void _;
        ceiling = Math.min(ceiling, performance.now() - t0);
      }
      console.log(`| (Postgres COPY of the stored value, no HTTP) | - | ${secs(ceiling)} | ${(SIZE / MB / (ceiling / 1000)).toFixed(0)} | - | - | reads the stored chunks in order |`);
    } catch (e) {
      console.log(`(Postgres COPY ceiling not measured: ${(e as Error).message})`);
    } finally {
      await pgClient.end();
    }
  } finally {
    for (const p of procs) await stopChild(p.child);
    await dbh.close();
    await rm(work, { recursive: true, force: true });
  }
});
