/**
 * What the scale benchmark counts, read from outside the services so that nothing in them is instrumented for it:
 *  - its own Redis and NATS (started here on shifted ports, so no other engineer's traffic lands in the counts):
 *    Redis commands from INFO commandstats, NATS messages from the monitoring endpoint's /varz;
 *  - Postgres: the benchmark's database only — pg_stat_database (transactions, rows) and the CPU of the backends
 *    serving it, from /proc (their process title names the database);
 *  - CPU of any process of ours by pid, from /proc/<pid>/stat.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BenchFailure, spawnChild, stopChild } from '../kit.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, undefined once it exited. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function waitPort(port: number, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve()));
      s.once('error', () => {
        s.destroy();
        if (Date.now() - t0 > ms) reject(new BenchFailure(`port ${port} did not open`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export interface OwnInfra {
  redisUrl: string;
  natsUrl: string;
  /** total commands Redis executed since start */
  redisCalls(): Promise<number>;
  /** messages NATS received from publishers and delivered to subscribers since start */
  natsMessages(): Promise<{ in: number; out: number }>;
  stop(): Promise<void>;
}

/** A private redis-server and nats-server (monitoring on) for the run; ports from PLANEXE_TEST_PORT_SHIFT. */
export async function startOwnInfra(): Promise<OwnInfra> {
  const shift = Number(process.env.PLANEXE_TEST_PORT_SHIFT ?? 0);
  const redisPort = 16379 + shift;
  const natsPort = 14222 + shift;
  const natsMonitor = 18222 + shift;
  const redis = spawnChild('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const nats = spawnChild('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-m', String(natsMonitor)], { stdio: 'ignore' });
  await Promise.all([waitPort(redisPort), waitPort(natsPort), waitPort(natsMonitor)]);
  return {
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    natsUrl: `nats://127.0.0.1:${natsPort}`,
    redisCalls: async () => {
      const client = new Redis(redisPort, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      const info = await client.info('commandstats').finally(() => client.disconnect());
      let calls = 0;
      for (const m of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(m[1]);
      return calls;
    },
    natsMessages: async () => {
      const v = (await (await fetch(`http://127.0.0.1:${natsMonitor}/varz`)).json()) as { in_msgs: number; out_msgs: number };
      return { in: v.in_msgs, out: v.out_msgs };
    },
    stop: async () => {
      await Promise.all([stopChild(redis), stopChild(nats)]);
    },
  };
}

/** The backend processes serving `database` (their title: `postgres: <cluster>: <user> <database> <client> <state>`). */
function backendPids(database: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const title = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds the Postgres backends of one database spent between start() and end(), sampled once a second: a
 * backend seen first mid-window counts from zero (it was born in the window); one that exits between two samples
 * loses its last second (the figure errs low). Cluster-wide processes (WAL writer, checkpointer) are not counted:
 * they serve every database of the shared server.
 */
export function postgresCpu(database: string): { end: () => number } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = (initial: boolean) => {
    for (const pid of backendPids(database)) {
      const cpu = processCpuSeconds(pid);
      if (cpu === undefined) continue;
      if (!first.has(pid)) first.set(pid, initial ? cpu : 0);
      last.set(pid, cpu);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 1000);
  timer.unref();
  return {
    end: () => {
      clearInterval(timer);
      sample(false);
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - (first.get(pid) ?? 0);
      return total;
    },
  };
}

export interface DbCounters {
  transactions: number;
  rowsRead: number;
  rowsWritten: number;
}

/**
 * pg_stat_database of one database. Backends report their counters when a transaction ends, at most once a
 * second, and an idle one within 10 s (PostgreSQL 15): read it after that much quiet for a closed window.
 */
export async function dbCounters(adminUrl: string, database: string): Promise<DbCounters> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query(
      `select xact_commit + xact_rollback as tx, tup_returned + tup_fetched as rd, tup_inserted + tup_updated + tup_deleted as wr
         from pg_stat_database where datname = $1`,
      [database],
    );
    const row = r.rows[0];
    if (!row) throw new BenchFailure(`no pg_stat_database row for ${database}`);
    return { transactions: Number(row.tx), rowsRead: Number(row.rd), rowsWritten: Number(row.wr) };
  } finally {
    await c.end();
  }
}

/** Seconds Postgres needs before a closed window's counters are all in pg_stat_database (see dbCounters). */
export const STATS_FLUSH_MS = 11_000;
