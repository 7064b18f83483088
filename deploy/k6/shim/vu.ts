/**
 * One k6 VU (or the setup/teardown/summary context) in a worker thread (started by vuThread.mjs): imports the
 * script unchanged with the k6 modules resolved to the shim's (hooks.mjs), sets __ENV/__VU/__ITER, and runs its phase. Everything it measures goes
 * to the runner as samples; an exception ends the VU and is reported (the runner fails the run on it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { blockFor, flushSamples } from './bridge.ts';

export interface VuTask {
  script: string;
  env: Record<string, string>;
  phase: 'setup' | 'vu' | 'teardown' | 'summary';
  vu: number;
  data?: unknown;
  /** iterations this VU runs (vu phase) */
  iterations?: number;
  /** stop starting iterations this long after the VU started (a VU thread's start-up is not part of its time) */
  forMs?: number;
  /** arrival-rate executors: iteration i starts at start + i × pacingMs at the earliest */
  pacingMs?: number;
}

const task = (workerData as { task: VuTask }).task;
const g = globalThis as any;
g.__ENV = task.env;
g.__VU = task.vu;
g.__ITER = 0;

try {
  const script = await import(task.script);
  if (task.phase === 'setup') {
    const data = typeof script.setup === 'function' ? script.setup() : undefined;
    // k6 hands setup's result to every VU as a JSON copy
    parentPort!.postMessage({ type: 'result', options: JSON.parse(JSON.stringify(script.options ?? {})), data: data === undefined ? undefined : JSON.parse(JSON.stringify(data)) });
  } else if (task.phase === 'vu') {
    const start = Date.now();
    for (let i = 0; i < (task.iterations ?? Infinity) && Date.now() < start + (task.forMs ?? Infinity); i++) {
      if (task.pacingMs) blockFor(start + i * task.pacingMs - Date.now());
      g.__ITER = i;
      const t0 = Date.now();
      script.default(task.data);
      flushSamples();
      parentPort!.postMessage({ type: 'samples', samples: [{ metric: 'iterations', type: 'counter', value: 1, tags: {} }, { metric: 'iteration_duration', type: 'trend', value: Date.now() - t0, tags: {} }] });
    }
  } else if (task.phase === 'teardown') {
    if (typeof script.teardown === 'function') script.teardown(task.data);
  } else if (typeof script.handleSummary === 'function') {
    parentPort!.postMessage({ type: 'result', summary: script.handleSummary(task.data) });
  }
  flushSamples();
} catch (e) {
  flushSamples();
  parentPort!.postMessage({ type: 'error', message: `${task.phase}${task.phase === 'vu' ? ` ${task.vu} iteration ${g.__ITER}` : ''}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
}
parentPort!.postMessage({ type: 'done' });
