/**
 * Stream service benchmark. Run through `npm run bench:stream` (bench/run.sh raises the open-file limit; one
 * descriptor per connection on each side). Measures, per server scenario (see benchServer.ts):
 *   - idle: RSS per open idle SSE connection with BENCH_IDLE (18,000; --quick 3,000) connections in one stream process,
 *     against a bare node:http anchor, in interleaved rounds (bare, stream, bare, …); the ratio is the median of the
 *     per-round ratios. The stream process is the distributed one (Postgres, NATS, Redis).
 *   - fan-out: publish → receive and publish → LAST subscriber latency with 1,000 subscribers on one plan, the
 *     subscribers in four client processes
 *   - (full run only) DB queries per minute from 1,000 idle connections (push), with the bus cut (our polling
 *     fallback), and what upstream's per-connection 3 s polling would cost
 * A connection that fails to open, or a publish some subscriber did not receive, fails the benchmark (no figure).
 * Goals: sse-kb-per-conn, sse-p99.
 */
import { type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { NatsBus } from '@planexe/infra';
import { natsAvailable, NATS_URL, postgresAvailable, redisAvailable } from '@planexe/testing/infra';
import { BenchFailure, benchMain, goal, measuring, median, QUICK, spawnChild, startNode, stopChild } from '../../../scripts/bench/kit.ts';

const IDLE = Number(process.env.BENCH_IDLE ?? (QUICK ? 3_000 : 18_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SUBS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? (QUICK ? 40 : 100));
const QUERY_WINDOW_S = Number(process.env.BENCH_QUERY_WINDOW ?? 30);
const SERVER = fileURLToPath(new URL('./benchServer.ts', import.meta.url));

interface Srv {
  ssePort: number;
  namespace: string;
  child: ChildProcess;
  get<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

async function startServer(scenario: string, plans: number): Promise<Srv> {
  const { child, match } = await startNode(SERVER, [scenario, String(plans)], /READY (\d+) (\d+) (\S+)\n/, { nodeArgs: ['--expose-gc'] });
  const [, ssePort, controlPort, namespace] = match;
  return {
    ssePort: Number(ssePort),
    namespace,
    child,
    get: async <T,>(path: string) => (await (await fetch(`http://127.0.0.1:${controlPort}${path}`)).json()) as T,
    stop: () => stopChild(child, 10_000),
  };
}

/** A raw SSE client socket; resolves once the first event arrived. `onData` sees every later chunk. */
function openSse(port: number, path: string, onData?: (chunk: string, at: number) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.setEncoding('utf8');
    let buf = '';
    let open = false;
    s.on('error', (e) => (open ? undefined : reject(e)));
    s.on('data', (chunk: string) => {
      if (open) return onData?.(chunk, performance.now());
      buf += chunk;
      if (buf.includes('\nevent: ')) {
        open = true;
        buf = '';
        resolve(s);
      }
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

async function openMany(port: number, paths: (i: number) => string, n: number, onData?: () => (chunk: string, at: number) => void) {
  const sockets: net.Socket[] = [];
  let failures = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < n) {
        const i = next++;
        try {
          sockets.push(await openSse(port, paths(i), onData?.()));
        } catch {
          failures++;
        }
      }
    }),
  );
  return { sockets, failures, seconds: (performance.now() - t0) / 1000 };
}

const closeAll = async (sockets: net.Socket[]) => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 1_000));
};
const kb = (bytes: number) => (bytes / 1024).toFixed(2);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));

/** Opens IDLE idle connections and returns the RSS per connection (bytes): the slope between 1,000 and IDLE, so fixed costs, pools and JIT warm-up fall out. */
async function idle(scenario: string): Promise<number> {
  const srv = await startServer(scenario, 1000);
  let sockets: net.Socket[] = [];
  try {
    const plans: string[] = scenario === 'bare' ? ['x'] : await srv.get('/plans');
    const path = (i: number) => `/sse/plan/${plans[i % plans.length]}`;
    const base = await openMany(srv.ssePort, path, 1000);
    sockets = base.sockets;
    await new Promise((res) => setTimeout(res, 1_000));
    const m1 = await srv.get<{ rss: number; heap: number; heapTotal: number }>('/rss');
    const more = await openMany(srv.ssePort, (i) => path(i + 1000), IDLE - 1000);
    sockets = [...sockets, ...more.sockets];
    const failed = base.failures + more.failures;
    if (failed > 0) throw new BenchFailure(`${scenario}: ${failed} of ${IDLE} idle SSE connections failed to open (open-file limit? run through bench/run.sh)`);
    await new Promise((res) => setTimeout(res, 2_000));
    const m2 = await srv.get<{ rss: number; heap: number; heapTotal: number }>('/rss');
    const per = (a: number, b: number) => (b - a) / more.sockets.length;
    row(scenario, `RSS per idle connection, ${sockets.length} held`, `${kb(per(m1.rss, m2.rss))} KB`, `JS live heap+external ${kb(per(m1.heap, m2.heap))} KB, V8 heap committed ${kb(per(m1.heapTotal, m2.heapTotal))} KB; RSS ${(m1.rss / 2 ** 20).toFixed(0)} → ${(m2.rss / 2 ** 20).toFixed(0)} MiB; ${IDLE - 1000} opened in ${more.seconds.toFixed(1)} s`);
    return per(m1.rss, m2.rss);
  } finally {
    await closeAll(sockets);
    await srv.stop();
  }
}

/** Subscribers in CLIENT_PROCS processes: one client event loop would queue the receipts of 1,000 streams. */
const CLIENT_PROCS = Number(process.env.BENCH_CLIENT_PROCS ?? 4);
const CLIENTS = fileURLToPath(new URL('./sseClients.ts', import.meta.url));

/** Publishes PUBLISHES snapshots to SUBS subscribers of one plan; returns the publish → last subscriber p99 (ms). */
async function fanout(scenario: string): Promise<number> {
  const srv = await startServer(scenario, 1);
  const bus = scenario === 'distributed' ? await NatsBus.connect({ servers: NATS_URL, namespace: srv.namespace }) : undefined;
  const procs: ChildProcess[] = [];
  try {
    const [plan] = await srv.get<string[]>('/plans');
    const per = Math.ceil(SUBS / CLIENT_PROCS);
    let opened = 0;
    await Promise.all(
      Array.from({ length: CLIENT_PROCS }, (_, i) => {
        const n = Math.min(per, SUBS - i * per);
        const p = spawnChild(process.execPath, ['--import', 'tsx', CLIENTS, String(srv.ssePort), `/sse/plan/${plan}`, String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        procs.push(p);
        return new Promise<void>((resolve, reject) => {
          p.once('message', (m: { open: number }) => ((opened += m.open), resolve()));
          p.once('exit', (code) => reject(new BenchFailure(`SSE client process exited (${code}) before its ${n} subscribers were open`)));
        });
      }),
    );
    // publish and receive moments on the wall clock all processes share (timeOrigin + now, sub-ms)
    const sentAt = new Map<number, number>();
    const WARMUP = 5;
    let cpu0 = { user: 0, system: 0 };
    for (let seq = 2; seq < PUBLISHES + WARMUP + 2; seq++) {
      if (seq === WARMUP + 2) cpu0 = await srv.get('/cpu');
      if (bus) {
        sentAt.set(seq, performance.timeOrigin + performance.now());
        await bus.publishSnapshot({
          plan_id: plan, version: 1000 + seq, state: 'processing', progress_percentage: seq, progress_message: null, steps_completed: null,
          steps_total: null, current_step: null, created_at: null, last_progress_at: null, stop_requested: false, failure_reason: null,
          error_message: null, recoverable: null,
        });
      } else sentAt.set(seq, (await srv.get<{ at: number }>(`/publish?plan=${plan}&seq=${seq}`)).at);
      await new Promise((res) => setTimeout(res, 50));
    }
    await new Promise((res) => setTimeout(res, 1_000));
    const cpu1 = await srv.get<{ user: number; system: number }>('/cpu');
    const received = (
      await Promise.all(
        procs.map((p) => new Promise<[number, number][]>((resolve) => {
          p.once('message', (m: { received: [number, number][] }) => resolve(m.received));
          p.send({ done: true });
        })),
      )
    ).flat();
    if (opened !== SUBS) throw new BenchFailure(`${scenario}: ${opened} of ${SUBS} subscribers open`);
    const samples: number[] = [];
    const lastPerPublish = new Map<number, number>();
    for (const [seq, at] of received) {
      const t = sentAt.get(seq);
      if (t === undefined || seq < WARMUP + 2) continue;
      samples.push(at - t);
      lastPerPublish.set(seq, Math.max(lastPerPublish.get(seq) ?? 0, at - t));
    }
    if (samples.length !== PUBLISHES * opened) throw new BenchFailure(`${scenario}: ${samples.length} deliveries of ${PUBLISHES * opened} (some subscriber missed a publish)`);
    samples.sort((a, b) => a - b);
    const last = [...lastPerPublish.values()].sort((a, b) => a - b);
    const via = bus ? 'published on NATS by another process' : 'published on the in-process bus';
    const cpuMs = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1000 / PUBLISHES;
    const sysMs = (cpu1.system - cpu0.system) / 1000 / PUBLISHES;
    row(scenario, `publish → receive, ${opened} subscribers`, `p50 ${pct(samples, 50).toFixed(1)} ms, p99 ${pct(samples, 99).toFixed(1)} ms`, `${samples.length} deliveries of ${PUBLISHES * opened}; ${via}; ${CLIENT_PROCS} client processes`);
    row(scenario, 'publish → last subscriber', `p50 ${pct(last, 50).toFixed(1)} ms, p99 ${pct(last, 99).toFixed(1)} ms`, `max ${last[last.length - 1]?.toFixed(1)} ms`);
    row(scenario, `server CPU per fan-out to ${opened} streams`, `${cpuMs.toFixed(2)} ms`, `of which kernel ${sysMs.toFixed(2)} ms (loopback TCP sends); process CPU over the publish phase / publishes`);
    return pct(last, 99);
  } finally {
    for (const p of procs) p.kill();
    await bus?.close();
    await srv.stop();
  }
}

async function queries(scenario: string) {
  const srv = await startServer(scenario, 100);
  try {
    const plans: string[] = await srv.get('/plans');
    const r = await openMany(srv.ssePort, (i) => `/sse/plan/${plans[i % plans.length]}`, 1000);
    if (r.failures > 0) throw new BenchFailure(`${scenario}: ${r.failures} of 1000 SSE connections failed to open`);
    const window = async () => {
      const q0 = (await srv.get('/stats')).queries;
      await new Promise((res) => setTimeout(res, QUERY_WINDOW_S * 1000));
      return (((await srv.get('/stats')).queries - q0) * 60) / QUERY_WINDOW_S;
    };
    const connectQueries = (await srv.get('/stats')).queries;
    row(scenario, 'DB queries to open 1,000 streams (100 plans)', connectQueries, 'one per connect at most; streams opening together share one');
    row(scenario, 'DB queries/min, 1,000 idle streams, bus up', (await window()).toFixed(0), 'push only');
    if (scenario === 'standalone') {
      await srv.get('/cut?on=1');
      row(scenario, 'DB queries/min, 1,000 idle streams, bus down', (await window()).toFixed(0), 'fallback: one batched query per 3 s tick');
      await srv.get('/cut?on=0');
    }
    row('upstream', 'DB queries/min, 1,000 idle streams, 3 s polling', (1000 * 60) / 3, 'computed: one query per connection per poll');
    await closeAll(r.sockets);
  } finally {
    await srv.stop();
  }
}

benchMain('stream', async () => {
  if (!((await postgresAvailable()) && (await redisAvailable()) && (await natsAvailable()))) throw new BenchFailure('needs Postgres, Redis and NATS on loopback');
  const only = process.env.BENCH_ONLY; // idle | fanout | queries
  const stream = QUICK ? ['distributed'] : ['standalone', 'distributed'];
  if (!only || only === 'idle') {
    // interleaved: bare, stream(s), bare, …; the goal is the median of distributed ÷ bare per round
    const w = measuring();
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await idle('bare');
      for (const s of stream) {
        const per = await idle(s);
        if (s === 'distributed') ratios.push(per / bare);
      }
    }
    const loadMax = w.end();
    row('distributed ÷ bare', 'RSS per idle connection', `${median(ratios).toFixed(2)}x`, `per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; max 1-min load ${loadMax.toFixed(2)}`);
    goal('sse-kb-per-conn', median(ratios), loadMax);
  }
  if (!only || only === 'fanout') {
    for (const s of stream) {
      const w = measuring();
      const p99 = await fanout(s);
      const loadMax = w.end();
      if (s === 'distributed') goal('sse-p99', p99, loadMax);
    }
  }
  if (!QUICK && (!only || only === 'queries')) for (const s of stream) await queries(s);

  const header = ['scenario', 'measure', 'result', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\nStream service benchmark — ${IDLE} idle connections, ${ROUNDS} rounds; ${SUBS} subscribers, ${PUBLISHES} publishes\n`);
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
});
