/**
 * What every benchmark of the project shares, so that a figure is what it says:
 *  - `load()`: autocannon with every response checked (status, transport errors, timeouts, and the body through a
 *    verifier: a JSON-RPC error or an `isError` result counts as a failure); any failure throws BenchFailure, so no
 *    throughput is printed for a run that was partly refused.
 *  - `expectOk()`: the same rule for requests a benchmark sends itself.
 *  - child processes registered here are killed when the benchmark ends, fails or is interrupted.
 *  - `benchMain()`: prints the load average before and after, samples it while the benchmark runs, and exits
 *    non-zero on failure; `measuring()` brackets the rounds (load average, and the CPU other processes took:
 *    cpuShare.ts); `goal()` hands a measured value with that share to `npm run bench` (scripts/bench.ts).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { goalLine, type GoalResult } from './goals.ts';
import { cpuWindow, type CpuShare } from './cpuShare.ts';

export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const CORES = cpus().length;

export class BenchFailure extends Error {}

// ---- load average -------------------------------------------------------------------------------------------

let load1Max = loadavg()[0];
let sampler: NodeJS.Timeout | undefined;
const sample = () => (load1Max = Math.max(load1Max, loadavg()[0]));
export const loadText = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The CPU split of the last measuring window that ended: what `goal()` judges noise by. */
let lastShare: CpuShare | undefined;

/**
 * Starts a measuring window: `end()` returns the highest 1-minute load average seen (printed beside the figures) and
 * records how much CPU other processes took meanwhile (cpuShare.ts), which decides whether a goal is noisy.
 */
export function measuring(): { end: () => number } {
  let max = loadavg()[0];
  const t = setInterval(() => (max = Math.max(max, loadavg()[0])), 1000);
  t.unref();
  const cpu = cpuWindow();
  return {
    end: () => {
      clearInterval(t);
      lastShare = cpu.end();
      const load = Math.max(max, loadavg()[0]);
      console.log(
        `[measured] ${lastShare.seconds.toFixed(0)} s: other processes took ${(lastShare.other * 100).toFixed(0)} % of the machine, ` +
          `this benchmark ${(lastShare.own * 100).toFixed(0)} %; 1-minute load average max ${load.toFixed(2)} (now ${loadText()})`,
      );
      return load;
    },
  };
}

/** Reports a goal's measured value (see goals.ts). Under `npm run bench` as data; run alone, as the GOAL line. */
export function goal(id: string, value: number, load: number, extra: Record<string, number> = {}): void {
  const r: GoalResult = { id, value, extra, load1Max: load, cores: CORES, otherCpu: lastShare?.other };
  console.log(process.env.BENCH_RUNNER === '1' ? `GOALDATA ${JSON.stringify(r)}` : goalLine(r));
}

// ---- statistics ---------------------------------------------------------------------------------------------

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// ---- response checks ----------------------------------------------------------------------------------------

/** The JSON of a response body; a streamable-HTTP answer in SSE framing is read from its data lines. */
function json(body: string): any {
  const t = body.trimStart();
  if (t.startsWith('event:') || t.startsWith('data:')) {
    return JSON.parse(
      t
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5))
        .join(''),
    );
  }
  return JSON.parse(t);
}

/** Body verifiers: true when the answer is a success of its surface. */
export const verify = {
  /** REST /mcp/tools/call: `{content:[…], error:null}` */
  rest: (body: string) => {
    try {
      const j = json(body);
      return j.error === null && Array.isArray(j.content) && j.content.length > 0;
    } catch {
      return false;
    }
  },
  /** MCP JSON-RPC: a `result` that is not an `isError` tool result, never an `error` member */
  mcp: (body: string) => {
    try {
      const j = json(body);
      return j.error === undefined && j.result !== undefined && j.result.isError !== true;
    } catch {
      return false;
    }
  },
  any: () => true,
};

/** Throws unless the answer is 2xx and its body passes the verifier. */
export function expectOk(what: string, status: number | undefined, body: string, check: (b: string) => boolean = verify.any): void {
  if (!status || status < 200 || status > 299) throw new BenchFailure(`${what}: HTTP ${status}: ${body.slice(0, 200)}`);
  if (!check(body)) throw new BenchFailure(`${what}: failed body check: ${body.slice(0, 200)}`);
}

export type LoadResult = autocannon.Result & { failed: number };

/**
 * An autocannon run in which every response is checked; throws BenchFailure (and so prints no figure) when any
 * request errored, timed out, answered non-2xx or failed the body check.
 */
export async function load(name: string, opts: autocannon.Options, check: (body: string) => boolean): Promise<LoadResult> {
  let firstBad: string | undefined;
  const r = await autocannon({
    // a slow answer is a latency (it shows in p99), not a failure: allow 30 s before autocannon counts a timeout
    timeout: 30,
    ...opts,
    verifyBody: (body: unknown) => {
      const ok = check(String(body));
      if (!ok && firstBad === undefined) firstBad = String(body).slice(0, 200);
      return ok;
    },
  });
  const failed = r.errors + r.timeouts + r.non2xx + r.mismatches;
  if (failed > 0 || r.requests.total === 0) {
    throw new BenchFailure(
      `${name}: ${failed} of ${r.requests.total} requests failed (errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}, bad bodies ${r.mismatches})` +
        (firstBad ? `; first bad body: ${firstBad}` : ''),
    );
  }
  return { ...r, failed };
}

// ---- child processes ----------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killChildren);

/** Spawns a process that dies with the benchmark (on success, failure or interruption). */
export function spawnChild(command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, opts);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A `node --import tsx <file>` child; resolves with the first stdout match of `ready` (rejects if it exits first). */
export function startNode(file: string, args: string[], ready: RegExp, opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; cwd?: string } = {}) {
  const child = spawnChild(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += String(d);
      const m = ready.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so a chatty child never blocks on a full pipe
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => reject(new BenchFailure(`${file} ${args.join(' ')} exited (${code ?? signal}) before it was ready`)));
  });
}

/** Stops a child politely, then for good. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

// ---- main -----------------------------------------------------------------------------------------------------

/**
 * Runs a benchmark: load average before and after, children cleaned up, exit 0 only when it completed; a failure
 * prints `BENCH FAILED` and exits 1.
 */
export function benchMain(name: string, body: () => Promise<void>): void {
  const t0 = Date.now();
  console.log(`[${name}] start: load average ${loadText()} (${CORES} cores), node ${process.version}${QUICK ? ', quick' : ''}`);
  sampler = setInterval(sample, 1000);
  sampler.unref();
  const fail = (err: unknown) => {
    console.log(`[${name}] BENCH FAILED: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof BenchFailure) && err instanceof Error && err.stack) console.error(err.stack);
    console.log(`[${name}] end: load average ${loadText()}, max 1-min ${load1Max.toFixed(2)}`);
    killChildren();
    process.exit(1);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => fail(new BenchFailure(`interrupted by ${sig}`)));
  process.once('uncaughtException', fail);
  process.once('unhandledRejection', fail);
  body().then(() => {
    console.log(`[${name}] end: load average ${loadText()}, max 1-min ${load1Max.toFixed(2)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    killChildren();
    process.exit(0);
  }, fail);
}
