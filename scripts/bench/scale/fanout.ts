/**
 * SSE fan-out across the two stream processes of the system: S subscribers of one plan (half on each stream
 * process, directly, without the gateway hop), in client processes of services/stream/bench/sseClients.ts; the
 * benchmark publishes snapshots on NATS as a worker would and every client notes when each arrived (the wall clock
 * all processes on the machine share). Figures: publish → last subscriber per publish (p50, p99, max), and the CPU
 * both stream processes spent per publish (/proc: user + kernel, loopback TCP sends included) beyond what they spend
 * holding the same streams idle for as long. A subscriber that
 * failed to open or missed a publish fails the run.
 */
import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { NatsBus } from '@planexe/infra';
import { BenchFailure, percentile, spawnChild } from '../kit.ts';
import { processCpuSeconds } from './meters.ts';

const CLIENTS = fileURLToPath(new URL('../../../services/stream/bench/sseClients.ts', import.meta.url));
/** client processes per stream process: one client event loop would queue the receipts of thousands of streams */
const CLIENT_PROCS_PER_STREAM = Number(process.env.BENCH_SCALE_CLIENT_PROCS ?? 2);
const WARMUP = 5;

export interface FanoutTarget {
  streams: string[];
  streamPids: number[];
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  publishes: number;
  /** pause between publishes, ms: longer than one fan-out takes on a loaded machine, so that publishes do not queue behind each other (a latency then measures the backlog, not a fan-out) */
  spacingMs: number;
}

export interface FanoutResult {
  subscribers: number;
  openSeconds: number;
  deliveries: number;
  lastP50: number;
  lastP99: number;
  lastMax: number;
  receiveP50: number;
  cpuMsPerFanout: number;
}

/** A plan being processed by a worker that will not go stale for a day, so the reconciler leaves it alone. */
async function processingPlan(databaseUrl: string): Promise<string> {
  const id = randomUUID();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(
      `insert into plans (id, state, prompt, progress_percentage, user_id, parameters, state_version, claimed_by, heartbeat_at, attempt)
       values ($1, 'processing', 'scale benchmark fan-out', 1, 'admin', '{}', 1, 'scale-bench', (now() at time zone 'utc') + interval '1 day', 1)`,
      [id],
    );
  } finally {
    await c.end();
  }
  return id;
}

function startClients(port: number, path: string, count: number): { child: ChildProcess; ready: Promise<number> } {
  const child = spawnChild(process.execPath, ['--import', 'tsx', CLIENTS, String(port), path, String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<number>((resolve, reject) => {
    child.once('message', (m: { open: number }) => resolve(m.open));
    child.once('exit', (code) => reject(new BenchFailure(`SSE client process exited (${code}) before its ${count} subscribers were open`)));
  });
  return { child, ready };
}

const collect = (child: ChildProcess) =>
  new Promise<[number, number][]>((resolve) => {
    child.once('message', (m: { received: [number, number][] }) => resolve(m.received));
    child.send({ done: true });
  });

const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const s = processCpuSeconds(pid);
    if (s === undefined) throw new BenchFailure(`stream process ${pid} exited`);
    return sum + s;
  }, 0);

export async function fanout(t: FanoutTarget, subscribers: number): Promise<FanoutResult> {
  const plan = await processingPlan(t.databaseUrl);
  const bus = await NatsBus.connect({ servers: t.natsUrl, namespace: t.namespace });
  const clients: { child: ChildProcess; ready: Promise<number> }[] = [];
  try {
    const procs = t.streams.length * CLIENT_PROCS_PER_STREAM;
    const t0 = performance.now();
    for (let i = 0; i < procs; i++) {
      const n = Math.floor(subscribers / procs) + (i < subscribers % procs ? 1 : 0);
      const port = Number(new URL(t.streams[i % t.streams.length]).port);
      clients.push(startClients(port, `/sse/plan/${plan}`, n));
    }
    const opened = (await Promise.all(clients.map((c) => c.ready))).reduce((a, b) => a + b, 0);
    const openSeconds = (performance.now() - t0) / 1000;
    if (opened !== subscribers) throw new BenchFailure(`${opened} of ${subscribers} subscribers open`);

    // what the open streams cost with nothing published (heartbeats, slot leases renewed in Redis), over as long a
    // window as the publishes take: subtracted, so that the figure is the fan-out's own
    const idle0 = cpuOf(t.streamPids);
    await new Promise((r) => setTimeout(r, t.publishes * t.spacingMs + 2_000));
    const idleCpuMs = (cpuOf(t.streamPids) - idle0) * 1000;
    const sentAt = new Map<number, number>();
    let cpu0 = 0;
    for (let seq = 2; seq < t.publishes + WARMUP + 2; seq++) {
      if (seq === WARMUP + 2) cpu0 = cpuOf(t.streamPids);
      sentAt.set(seq, performance.timeOrigin + performance.now());
      await bus.publishSnapshot({
        plan_id: plan, version: 1000 + seq, state: 'processing', progress_percentage: seq, progress_message: null, steps_completed: null,
        steps_total: null, current_step: null, created_at: null, last_progress_at: null, stop_requested: false, failure_reason: null,
        error_message: null, recoverable: null,
      });
      await new Promise((r) => setTimeout(r, t.spacingMs));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const cpuMs = ((cpuOf(t.streamPids) - cpu0) * 1000 - idleCpuMs) / t.publishes;
    const received = (await Promise.all(clients.map((c) => collect(c.child)))).flat();
    const samples: number[] = [];
    const last = new Map<number, number>();
    for (const [seq, at] of received) {
      const sent = sentAt.get(seq);
      if (sent === undefined || seq < WARMUP + 2) continue;
      samples.push(at - sent);
      last.set(seq, Math.max(last.get(seq) ?? 0, at - sent));
    }
    if (samples.length !== t.publishes * subscribers) {
      throw new BenchFailure(`${subscribers} subscribers: ${samples.length} deliveries of ${t.publishes * subscribers} (some subscriber missed a publish)`);
    }
    const lasts = [...last.values()];
    return {
      subscribers,
      openSeconds,
      deliveries: samples.length,
      lastP50: percentile(lasts, 50),
      lastP99: percentile(lasts, 99),
      lastMax: Math.max(...lasts),
      receiveP50: percentile(samples, 50),
      cpuMsPerFanout: cpuMs,
    };
  } finally {
    for (const c of clients) c.child.kill();
    await bus.close();
    // let both stream processes notice the closed sockets and release their slots before the next size
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

export function fanoutTable(rows: FanoutResult[], publishes: number): string {
  const base = rows[0];
  const lines = [
    `| subscribers (2 stream processes) | all open after | deliveries checked | publish → any subscriber p50 | publish → last subscriber p50 | p99 | max | stream CPU per fan-out | CPU per 1,000 subscribers | CPU growth vs ${base.subscribers.toLocaleString('en-US')} | last-subscriber p99 growth |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.subscribers.toLocaleString('en-US')} | ${r.openSeconds.toFixed(1)} s | ${r.deliveries.toLocaleString('en-US')} (${publishes} publishes) | ${r.receiveP50.toFixed(1)} ms | ${r.lastP50.toFixed(1)} ms | ${r.lastP99.toFixed(1)} ms | ${r.lastMax.toFixed(1)} ms | ${r.cpuMsPerFanout.toFixed(1)} ms | ${((r.cpuMsPerFanout * 1000) / r.subscribers).toFixed(2)} ms | ${(r.cpuMsPerFanout / base.cpuMsPerFanout).toFixed(1)}x for ${(r.subscribers / base.subscribers).toFixed(0)}x subscribers | ${(r.lastP99 / base.lastP99).toFixed(1)}x |`,
    );
  }
  return lines.join('\n');
}
