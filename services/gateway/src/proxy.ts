/**
 * Streaming reverse proxy from the gateway to one internal service.
 *
 * Plain node:http rather than http-proxy: http-proxy is unmaintained since 2020, and what we need is small and
 * specific — a request body that auth may already have read (forwarded from memory) or not (piped), the caller and
 * internal-secret headers, SSE and downloads passed through chunk by chunk with no buffering (small JSON answers of
 * known length are forwarded in one write, which is cheaper than a stream pipeline), a header timeout
 * that SSE streams are exempt from after the headers, one retry when a pooled keep-alive socket turns out to be
 * dead, and upstream failures answered in the contract's JSON error shape.
 */
import http from 'node:http';
import https from 'node:https';
import type { Context, Middleware } from 'koa';
import { CALLER_HEADER, CLIENT_IP_HEADER, INTERNAL_SECRET_HEADER, encodeCaller, type Caller } from '@planexe/auth';
import { readRawBody, sendError } from '@planexe/http';
import { traceCarrier, type Logger } from '@planexe/telemetry';
import { UpstreamPool, isDownSignal, mayRetryElsewhere } from './upstreams.ts';

export interface ProxyOptions {
  /** PLANEXE_INTERNAL_SECRET, sent on every forwarded request. */
  internalSecret: string;
  /** Wait for response headers (and longest silence inside a non-SSE body), ms. */
  timeoutMs: number;
  log: Logger;
  /** Propagate the request's trace context (W3C traceparent) to the upstream. */
  tracing?: boolean;
}

export interface Upstream {
  /** Service name for logs and error messages (tools, stream, artifacts). */
  name: string;
  /** One base URL, several (one per replica; a comma-separated string or a list), or a load-balanced address. */
  baseUrl: string | readonly string[];
  /** Every answer is streamed through (SSE, downloads). Otherwise small answers of known length are read whole. */
  streaming?: boolean;
  /**
   * A request whose body names `wait_seconds` (a plan_status long poll) may take this long before its headers: the
   * upstream answers when the wait ends, so the plain header timeout would cut every wait longer than it. The body
   * is only searched, not parsed: a request that merely mentions the word gets the longer timeout and nothing else.
   */
  longPollMs?: number;
}

const LONG_POLL_MARK = Buffer.from('"wait_seconds"');

/** Answers up to this size with a Content-Length are forwarded in one write instead of through a stream pipeline. */
const SMALL_BODY = 1024 * 1024;

function readAll(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('upstream aborted')));
  });
}

/** Never forwarded either way (RFC 9110 §7.6.1), plus the client's credentials and our own trust headers. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'authorization', 'x-api-key', 'api-key', 'api_key', 'x_api_key', INTERNAL_SECRET_HEADER, CALLER_HEADER, CLIENT_IP_HEADER]);

class UpstreamTimeout extends Error {}

function forwardHeaders(ctx: Context, target: URL, body: Buffer | undefined, o: ProxyOptions): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && !NOT_FORWARDED.has(k)) out[k] = v;
  if (body) {
    out['content-length'] = String(body.length);
  } else if (ctx.req.headers['transfer-encoding']) {
    out['transfer-encoding'] = 'chunked';
  }
  const peer = ctx.req.socket.remoteAddress ?? 'unknown';
  const xff = ctx.get('x-forwarded-for');
  out.host = target.host;
  out['x-forwarded-for'] = xff ? `${xff}, ${peer}` : peer;
  out['x-forwarded-host'] = ctx.get('x-forwarded-host') || ctx.get('host');
  out['x-forwarded-proto'] = ctx.get('x-forwarded-proto') || ctx.protocol;
  out[INTERNAL_SECRET_HEADER] = o.internalSecret;
  out[CLIENT_IP_HEADER] = ctx.ip || peer;
  const caller = (ctx.state as { caller?: Caller }).caller;
  if (caller) out[CALLER_HEADER] = encodeCaller(caller);
  // the upstream's spans continue this request's trace (W3C traceparent)
  if (o.tracing) Object.assign(out, traceCarrier());
  return out;
}

/** A middleware that hands the request to `up` and streams its answer back. */
export function createProxy(o: ProxyOptions) {
  // pooled keep-alive connections: the proxy hop must not cost a TCP handshake per request
  const agentOpts = { keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOpts), 'https:': new https.Agent(agentOpts) };

  function send(ctx: Context, target: URL, path: string, body: Buffer | undefined, retry: boolean, timeoutMs: number): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port || undefined,
        method: ctx.method,
        path,
        headers: forwardHeaders(ctx, target, body, o),
        agent: agents[target.protocol as 'http:' | 'https:'],
      });
      let settled = false;
      req.setTimeout(timeoutMs, () => req.destroy(new UpstreamTimeout(`no answer in ${timeoutMs} ms`)));
      req.on('response', (res) => {
        settled = true;
        // an SSE stream may be silent for long stretches (heartbeats are the stream's business)
        if (/^text\/event-stream/i.test(String(res.headers['content-type'] ?? ''))) req.setTimeout(0);
        resolve(res);
      });
      let clientGone = false;
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        // a pooled socket the upstream closed meanwhile: once more on a fresh one, if the body can be resent; never
        // for a client that left (destroying the request below fails it with the same ECONNRESET)
        const canResend = body !== undefined || !['POST', 'PUT', 'PATCH'].includes(ctx.method);
        if (retry && !clientGone && !ctx.res.destroyed && req.reusedSocket && err.code === 'ECONNRESET' && canResend) {
          send(ctx, target, path, body, false, timeoutMs).then(resolve, reject);
          return;
        }
        reject(err);
      });
      // the client went away before the answer started: stop the upstream work too
      ctx.res.once('close', () => {
        clientGone = true;
        if (!settled) req.destroy();
      });
      if (body) req.end(body);
      else if (['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(ctx.method) && !ctx.req.headers['transfer-encoding'] && !ctx.req.headers['content-length']) req.end();
      else ctx.req.pipe(req);
    });
  }

  return function proxyTo(up: Upstream): Middleware {
    const pool = new UpstreamPool(up.baseUrl);
    /** Sends to one replica after another while a failure allows it (upstreams.ts says when). */
    const sendAny = async (ctx: Context, body: Buffer | undefined): Promise<http.IncomingMessage> => {
      const resendable = body !== undefined || (!ctx.req.headers['transfer-encoding'] && !ctx.req.headers['content-length']);
      const tried = new Set<URL>();
      const timeoutMs = up.longPollMs && body?.includes(LONG_POLL_MARK) ? Math.max(o.timeoutMs, up.longPollMs) : o.timeoutMs;
      for (let tries = 1; ; tries++) {
        const target = pool.pick(tried) ?? pool.targets[0];
        tried.add(target);
        try {
          return await send(ctx, target, target.pathname.replace(/\/+$/, '') + ctx.url, body, true, timeoutMs);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (isDownSignal(e)) pool.markDown(target);
          if (tries >= pool.maxTries || !ctx.writable || !mayRetryElsewhere(ctx.method, e, resendable)) throw err;
          o.log.warn({ upstream: up.name, target: target.host, err: e.message }, 'upstream failed; trying another');
        }
      }
    };
    return async (ctx) => {
      let body = (ctx.state as { rawBody?: Buffer }).rawBody;
      // a small body of known length is held in memory, so that a replica found down can be skipped with it
      const declared = Number(ctx.req.headers['content-length'] ?? NaN);
      if (!body && declared > 0 && declared <= SMALL_BODY && !up.streaming) {
        try {
          body = await readRawBody(ctx, SMALL_BODY);
        } catch {
          return sendError(ctx, 400, 'BAD_REQUEST', 'The request body could not be read');
        }
      }
      let res: http.IncomingMessage;
      try {
        res = await sendAny(ctx, body);
      } catch (err) {
        const timeout = err instanceof UpstreamTimeout;
        o.log.warn({ upstream: up.name, path: ctx.path, err: (err as Error).message }, timeout ? 'upstream timed out' : 'upstream unreachable');
        if (!ctx.writable) return;
        return timeout
          ? sendError(ctx, 504, 'SERVICE_UNAVAILABLE', `The ${up.name} service did not answer in time`)
          : sendError(ctx, 502, 'SERVICE_UNAVAILABLE', `The ${up.name} service is unavailable`);
      }
      const status = res.statusCode ?? 502;
      const type = String(res.headers['content-type'] ?? '');
      if (status >= 500 && !/json/i.test(type)) {
        // a bare 5xx page (a crashed handler, a load balancer) becomes the contract's error shape
        res.resume();
        o.log.warn({ upstream: up.name, path: ctx.path, status }, 'upstream error');
        return sendError(ctx, status, status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR', status === 503 ? `The ${up.name} service is unavailable` : 'Internal Server Error');
      }
      ctx.status = status;
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) ctx.set(k, v as string | string[]);
      const length = Number(res.headers['content-length'] ?? NaN);
      if (!up.streaming && ctx.method !== 'HEAD' && length <= SMALL_BODY && !/^text\/event-stream/i.test(type)) {
        // a small JSON answer: one write to the client, none of a stream pipeline's per-request machinery
        try {
          ctx.body = await readAll(res);
        } catch (err) {
          o.log.warn({ upstream: up.name, path: ctx.path, err: (err as Error).message }, 'upstream answer cut short');
          return sendError(ctx, 502, 'SERVICE_UNAVAILABLE', `The ${up.name} service is unavailable`);
        }
        return;
      }
      // streamed through as it arrives: Koa pipes it and destroys it (closing the upstream) if the client leaves
      ctx.body = res;
    };
  };
}
