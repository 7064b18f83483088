/**
 * The VU side of the shim's one synchronous channel. k6 runs a VU's JavaScript synchronously: `http.get()` returns
 * the response, `sleep()` blocks, `sse.open()` returns once the stream closed. Node has no synchronous HTTP, so a VU
 * is a worker thread that hands each request to the runner's thread and blocks on Atomics.wait until the answer is
 * posted to its MessagePort, which it then reads with receiveMessageOnPort. A worker (not a child process per
 * request) keeps a VU's state in one JavaScript runtime as k6 does, and blocking costs no CPU.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';

const { port, flag } = workerData as { port: MessagePort; flag: SharedArrayBuffer };
const signal = new Int32Array(flag);
let nextId = 1;

/** Blocks until the runner posts the next message for this VU. */
export function waitMessage<T = any>(timeoutMs = 600_000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let m = receiveMessageOnPort(port);
    if (m) return m.message as T;
    const seen = Atomics.load(signal, 0);
    m = receiveMessageOnPort(port); // posted between the first look and the load
    if (m) return m.message as T;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('k6 shim: the runner did not answer');
    Atomics.wait(signal, 0, seen, left);
  }
}

/** Sends a request to the runner thread; the answers come through waitMessage(). */
export function send(msg: Record<string, unknown>): number {
  const id = nextId++;
  parentPort!.postMessage({ ...msg, id });
  return id;
}

/** One request, one answer. */
export function call<T = any>(msg: Record<string, unknown>): T {
  send(msg);
  return waitMessage<T>();
}

/** Sleeps the VU's thread (k6's sleep blocks the VU, not a scheduler). */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---- metrics: samples stay in the VU and go to the runner in batches --------------------------------------------

export interface Sample {
  metric: string;
  type: 'trend' | 'counter' | 'rate' | 'gauge';
  value: number;
  tags: Record<string, string>;
}

let samples: Sample[] = [];

export function addSample(s: Sample): void {
  samples.push(s);
  if (samples.length >= 500) flushSamples();
}

export function flushSamples(): void {
  if (!samples.length) return;
  parentPort!.postMessage({ type: 'samples', samples });
  samples = [];
}
