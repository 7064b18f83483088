import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/** The worker run-file API (spec/http.md §11) as configured: PLANEXE_WORKER_PLAN_URL, never a URL from a request. */
export interface WorkerEndpoint {
  url: string;
  /** PLANEXE_INTERNAL_SECRET, sent as x-planexe-internal when the worker requires it. */
  internalSecret?: string;
}

export interface WorkerGetOptions {
  /** Time to establish the connection (spec: 3 s). */
  connectMs: number;
  /** Longest silence in every later phase: waiting for headers, between body chunks (spec: 10 s; zip 60 s). */
  idleMs: number;
}

export class WorkerTimeoutError extends Error {}

/** `<url>/runs/<plan uuid>/<what>`, with a trailing `/` of the configured URL removed (spec/config.md). */
export function workerRunUrl(w: WorkerEndpoint, planId: string, what: 'report' | 'zip' | 'files'): URL {
  return new URL(`${w.url.replace(/\/+$/, '')}/runs/${encodeURIComponent(planId)}/${what}`);
}

/**
 * One GET against the worker with phase timeouts (not an overall deadline); redirects are not followed. Resolves
 * with the response (the caller consumes or destroys it) or null for a non-200 answer; rejects on network errors
 * and timeouts. The response stream errors with WorkerTimeoutError if the body stalls.
 */
export function workerGet(w: WorkerEndpoint, url: URL, o: WorkerGetOptions): Promise<http.IncomingMessage | null> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET',
      headers: { accept: '*/*', ...(w.internalSecret ? { 'x-planexe-internal': w.internalSecret } : {}) },
      agent: false,
    });
    const connectTimer = setTimeout(() => req.destroy(new WorkerTimeoutError(`connect to ${url.host} timed out`)), o.connectMs);
    req.on('socket', (s: Socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (!s.connecting) connected();
      else s.once('connect', connected);
    });
    req.setTimeout(o.idleMs, () => req.destroy(new WorkerTimeoutError(`worker ${url.host} went silent for ${o.idleMs} ms`)));
    req.on('error', (e) => {
      clearTimeout(connectTimer);
      reject(e);
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      if (res.statusCode !== 200) {
        res.resume();
        resolve(null);
        return;
      }
      resolve(res);
    });
    req.end();
  });
}

/** A small JSON answer (the file listing) with an overall cap; null on any failure. */
export async function workerJson(w: WorkerEndpoint, url: URL, capMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    const res = await workerGet(w, url, { connectMs: Math.min(3_000, capMs), idleMs: capMs });
    if (!res) return null;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of res) {
      total += (c as Buffer).length;
      if (total > 8 * 1024 * 1024) {
        res.destroy();
        return null;
      }
      chunks.push(c as Buffer);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  })();
  const deadline = new Promise<null>((r) => (timer = setTimeout(() => r(null), capMs)));
  try {
    return await Promise.race([work.catch(() => null), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
