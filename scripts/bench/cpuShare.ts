/**
 * How much of the machine OTHER work took while a benchmark measured (Linux /proc): the CPU time every core spent
 * busy (/proc/stat) minus what the benchmark's own processes spent. A benchmark's load average is mostly its own
 * load (servers, load generator, database backends), so the load average alone calls every run on a small machine
 * noisy; this share says whether something else competed for the cores.
 * The benchmark's own processes: its process tree, the Postgres backends serving connections that tree opened
 * (matched by the client port in the backend's title), and the shared daemons the benchmarks drive (Redis, NATS:
 * one process serves every client, so it cannot be split, and it is counted with the benchmark).
 * Sampled once a second. A process of the tree counts with what it reaped (cutime), so a child that lived and died
 * between two samples is still the benchmark's; when it is reaped its own entry is dropped (its parent now holds
 * it). A Postgres backend that exits between samples loses its last second to "other", erring towards noisy.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const DAEMONS = new Set(['redis-server', 'nats-server']);
/** readlink of thousands of descriptors each second would itself load the machine: such processes hold no
 *  database connections worth finding (they are the SSE benchmark's client and server sides) */
const MAX_FDS_SCANNED = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, clock ticks */
  cpu: number;
  /** cutime + cstime: the CPU of children it reaped, clock ticks */
  reaped: number;
  /** start time since boot, clock ticks */
  start: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    return { pid, ppid: Number(f[1]), comm, cpu: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]), start: Number(f[19]) };
  } catch {
    return undefined; // exited
  }
}

const pids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);

/** busy and total clock ticks of all cores since boot */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

const uptimeTicks = () => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100;

/** local TCP ports of the sockets `pids` hold */
function localPorts(tree: Iterable<number>): Set<number> {
  const inodes = new Set<string>();
  for (const pid of tree) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    if (fds.length > MAX_FDS_SCANNED) continue;
    for (const fd of fds) {
      try {
        const l = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (l.startsWith('socket:[')) inodes.add(l.slice(8, -1));
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** Postgres backends (`postgres: … 127.0.0.1(<client port>) …`) whose client port is one of `ports`. */
function backendsOf(stats: ProcStat[], ports: Set<number>): number[] {
  const out: number[] = [];
  for (const s of stats) {
    if (s.comm !== 'postgres') continue;
    try {
      const m = /\((\d+)\)/.exec(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8'));
      if (m && ports.has(Number(m[1]))) out.push(s.pid);
    } catch {
      // exited
    }
  }
  return out;
}

export interface CpuShare {
  /** share of all cores' time other work kept busy (0..1) */
  other: number;
  /** share the benchmark's own processes took (0..1) */
  own: number;
  seconds: number;
}

/** Starts a window; `end()` says how the machine's busy time split between the benchmark and everything else. */
export function cpuWindow(root: number = process.pid): { end: () => CpuShare } {
  const t0 = Date.now();
  const m0 = machineTicks();
  const startedAt = uptimeTicks();
  const base = new Map<number, number>();
  const last = new Map<number, number>();
  let peers: number[] = [];
  const treeOnce = new Set<number>();
  let samples = 0;

  const sample = () => {
    const stats = pids().map(readStat).filter((s): s is ProcStat => !!s);
    const byParent = new Map<number, number[]>();
    for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s.pid]);
    const tree = new Set<number>([root]);
    for (const pid of tree) for (const c of byParent.get(pid) ?? []) tree.add(c);
    // connections change rarely: look for the backends every 5th sample
    if (samples++ % 5 === 0) peers = backendsOf(stats, localPorts(tree));
    const seen = new Set<number>();
    const count = (pid: number, cpu: number, start: number) => {
      seen.add(pid);
      // a process born in the window counts from zero; one that existed counts from when it joined
      if (!base.has(pid)) base.set(pid, start >= startedAt ? 0 : cpu);
      last.set(pid, cpu);
    };
    const backends = new Set(peers);
    for (const s of stats) {
      if (tree.has(s.pid)) count(s.pid, s.cpu + s.reaped, s.start);
      else if (backends.has(s.pid) || DAEMONS.has(s.comm)) count(s.pid, s.cpu, s.start);
    }
    // a reaped child's CPU moved into its parent's cutime: forget its own entry so it counts once
    for (const pid of last.keys()) {
      if (seen.has(pid) || !treeOnce.has(pid)) continue;
      last.delete(pid);
      base.delete(pid);
    }
    for (const pid of tree) treeOnce.add(pid);
  };
  sample();
  const timer = setInterval(sample, 1000);
  timer.unref();
  return {
    end: () => {
      clearInterval(timer);
      sample();
      const m1 = machineTicks();
      let own = 0;
      for (const [pid, cpu] of last) own += cpu - (base.get(pid) ?? cpu);
      const total = Math.max(1, m1.total - m0.total);
      const busy = m1.busy - m0.busy;
      return { other: Math.max(0, busy - own) / total, own: Math.min(own, busy) / total, seconds: (Date.now() - t0) / 1000 };
    },
  };
}
