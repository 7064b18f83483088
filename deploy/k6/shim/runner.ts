/**
 * Runs a k6 script unchanged on Node (k6 itself cannot be installed here): setup, the scenarios' VUs (each a worker
 * thread, vu.ts), teardown and handleSummary, as k6 would; serves the VUs' synchronous requests (bridge.ts) from this
 * thread; then evaluates the checks and the thresholds. `ok` is false when the script threw, a check failed or a
 * threshold was missed. Executors: per-vu-iterations, shared-iterations, constant-vus, constant-arrival-rate (paced
 * iterations over at most `maxVus` VUs) and the top-level vus/iterations/duration shortcut.
 */
import { Worker } from 'node:worker_threads';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createParser } from 'eventsource-parser';
import type { Sample } from './bridge.ts';
import { evaluateThresholds, type ThresholdResult } from './thresholds.ts';
import type { VuTask } from './vu.ts';

export interface K6RunOptions {
  /** path or file URL of the script */
  script: string;
  /** what `k6 run -e K=V` would set (__ENV) */
  env?: Record<string, string>;
  /** at most this many VU threads per scenario (default 8) */
  maxVus?: number;
  /** the whole run's limit (default: the scenarios' maxDuration, else 10 minutes) */
  timeoutMs?: number;
}

export interface K6RunResult {
  ok: boolean;
  errors: string[];
  checks: { name: string; passes: number; fails: number }[];
  thresholds: ThresholdResult[];
  samples: Sample[];
  seconds: number;
  /** what handleSummary returned, if the script has one */
  summary?: Record<string, string>;
}

export function parseDuration(d: string | number | undefined, fallbackMs: number): number {
  if (d === undefined) return fallbackMs;
  if (typeof d === 'number') return d;
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']!;
  return ms || fallbackMs;
}

type Scenario = Record<string, any>;

/** The VU tasks of one scenario (without script/env/data). */
function plan(s: Scenario, maxVus: number): Omit<VuTask, 'script' | 'env' | 'phase' | 'data'>[] {
  const vus = Math.max(1, Math.min(maxVus, Number(s.vus ?? s.preAllocatedVUs ?? 1)));
  const list = Array.from({ length: vus }, (_, i) => i + 1);
  switch (s.executor) {
    case 'per-vu-iterations':
      return list.map((vu) => ({ vu, iterations: Number(s.iterations ?? 1) }));
    case 'shared-iterations': {
      const total = Number(s.iterations ?? 1);
      return list.map((vu) => ({ vu, iterations: Math.floor(total / vus) + (vu <= total % vus ? 1 : 0) }));
    }
    case 'constant-vus':
      return list.map((vu) => ({ vu, forMs: parseDuration(s.duration, 10_000) }));
    case 'constant-arrival-rate': {
      const perMs = Number(s.rate) / parseDuration(s.timeUnit ?? '1s', 1000);
      const duration = parseDuration(s.duration, 10_000);
      const total = Math.max(1, Math.floor(perMs * duration));
      return list.map((vu) => ({ vu, iterations: Math.floor(total / vus) + (vu <= total % vus ? 1 : 0), pacingMs: vus / perMs, forMs: duration + 5_000 }));
    }
    default:
      throw new Error(`k6 shim: executor ${s.executor} is not supported`);
  }
}

/** Answers one VU's synchronous calls: HTTP requests and SSE streams. */
function serve(worker: Worker, port: MessagePort, signal: Int32Array, collect: (m: any) => void) {
  const reply = (msg: unknown) => {
    port.postMessage(msg);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const streams = new Map<number, AbortController>();
  let nextStream = 1;
  worker.on('message', async (m: any) => {
    if (m.type === 'http') {
      const t0 = performance.now();
      try {
        const res = await fetch(m.url, { method: m.method, headers: m.headers, body: m.body, signal: AbortSignal.timeout(60_000) });
        const body = m.binary ? await res.arrayBuffer() : await res.text();
        reply({ status: res.status, body, headers: Object.fromEntries(res.headers), durationMs: performance.now() - t0 });
      } catch (e) {
        reply({ status: 0, body: '', headers: {}, error: (e as Error).message, durationMs: performance.now() - t0 });
      }
    } else if (m.type === 'sse-open') {
      const abort = new AbortController();
      const stream = nextStream++;
      streams.set(stream, abort);
      try {
        const res = await fetch(m.url, { method: m.method, headers: { accept: 'text/event-stream', ...m.headers }, body: m.body, signal: abort.signal });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          return reply({ type: 'end', stream, status: res.status, error: `HTTP ${res.status}` });
        }
        reply({ type: 'open', stream, status: res.status });
        const parser = createParser({ onEvent: (e) => reply({ type: 'event', event: { id: e.id ?? '', name: e.event ?? 'message', data: e.data } }) });
        const decoder = new TextDecoder();
        for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
        reply({ type: 'end' });
      } catch (e) {
        reply({ type: 'end', status: 0, error: abort.signal.aborted ? undefined : (e as Error).message });
      } finally {
        streams.delete(stream);
      }
    } else if (m.type === 'sse-close') {
      streams.get(m.stream)?.abort();
    } else collect(m);
  });
}

/** Runs one phase in a worker; resolves with its messages of type result/error once it finished. */
function runTask(task: VuTask, samples: Sample[], errors: string[]): Promise<any> {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('./vuThread.mjs', import.meta.url), {
    workerData: { task, port: port2, flag },
    transferList: [port2],
    env: { ...process.env, ...task.env },
  });
  let result: any;
  serve(worker, port1, new Int32Array(flag), (m) => {
    if (m.type === 'samples') samples.push(...m.samples);
    else if (m.type === 'result') result = m;
    else if (m.type === 'error') errors.push(m.message);
    else if (m.type === 'done') void worker.terminate();
  });
  return new Promise((resolve) => {
    worker.once('error', (e) => errors.push(`${task.phase} ${task.vu}: ${e.stack ?? e.message}`));
    worker.once('exit', () => {
      port1.close();
      resolve(result);
    });
  });
}

export async function runK6(o: K6RunOptions): Promise<K6RunResult> {
  const script = o.script.startsWith('file:') ? o.script : new URL(o.script, `file://${process.cwd()}/`).href;
  const env = o.env ?? {};
  const samples: Sample[] = [];
  const errors: string[] = [];
  const t0 = Date.now();
  const base = { script, env };
  const setup = await runTask({ ...base, phase: 'setup', vu: 0 }, samples, errors);
  const options = setup?.options ?? {};
  const data = setup?.data;
  let summary: Record<string, string> | undefined;
  if (!errors.length) {
    const scenarios: Scenario[] = options.scenarios
      ? Object.values(options.scenarios)
      : [options.duration ? { executor: 'constant-vus', vus: options.vus, duration: options.duration } : { executor: 'shared-iterations', vus: options.vus, iterations: options.iterations ?? 1 }];
    const limit = o.timeoutMs ?? Math.max(...scenarios.map((s) => parseDuration(s.maxDuration ?? s.duration, 600_000) + 30_000));
    const vus = Promise.all(scenarios.flatMap((s) => plan(s, o.maxVus ?? 8).map((t) => runTask({ ...base, ...t, phase: 'vu', data }, samples, errors))));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(() => (errors.push(`the run passed its limit of ${limit} ms`), resolve()), limit)));
    await Promise.race([vus, timedOut]);
    clearTimeout(timer);
    await runTask({ ...base, phase: 'teardown', vu: 0, data }, samples, errors);
  }
  const seconds = (Date.now() - t0) / 1000;
  const thresholds = evaluateThresholds(options.thresholds ?? {}, samples, seconds);
  const checks = new Map<string, { name: string; passes: number; fails: number }>();
  for (const s of samples) {
    if (s.metric !== 'checks') continue;
    const c = checks.get(s.tags.check) ?? { name: s.tags.check, passes: 0, fails: 0 };
    if (s.value) c.passes++;
    else c.fails++;
    checks.set(c.name, c);
  }
  if (!errors.length) {
    const metrics: Record<string, { type: string; count: number }> = {};
    for (const s of samples) metrics[s.metric] = { type: s.type, count: (metrics[s.metric]?.count ?? 0) + 1 };
    summary = (await runTask({ ...base, phase: 'summary', vu: 0, data: { metrics } }, samples, errors))?.summary;
  }
  const checkList = [...checks.values()];
  return {
    ok: !errors.length && checkList.every((c) => c.fails === 0) && thresholds.every((t) => t.ok),
    errors,
    checks: checkList,
    thresholds,
    samples,
    seconds,
    summary,
  };
}
