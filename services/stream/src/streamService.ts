import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Middleware, Next } from 'koa';
import { matchRoute, parseUuid, pathOfUrl, type ErrorCode, type RouteMatch } from '@planexe/contracts';
import { errorBody, routeOf, sendError } from '@planexe/http';
import type { Db } from '@planexe/db';
import { ConnectionSlots, type Limits, type ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { peerAddress, type ClientAddressOf } from './clientAddress.ts';
import { PlanFeeds } from './planFeeds.ts';
import { PlanStream, type StreamTimings } from './planStream.ts';
import { IdleMcpStream } from './idleMcpStream.ts';
import { RETRY_HINT, SSE_HEADERS, sseComment } from './sseWire.ts';

export interface StreamDeps {
  db: Db;
  bus: ProgressBus;
  /** MemoryLimits in standalone; RedisLimits in distributed mode (caps shared by every replica). */
  limits: Limits;
  log?: Logger;
}

/** The PLANEXE_SSE_* settings (spec/sse.md §6) and the lease tuning. */
export interface StreamOptions {
  pollIntervalSeconds: number;
  heartbeatIntervalSeconds: number;
  maxDurationSeconds: number;
  maxConnections: number;
  maxTotalConnections: number;
  /** Longest write silence before a keep-alive comment; clamped to ≤ 15 s. Default 15. */
  keepAliveSeconds?: number;
  /**
   * Slot lease (default 15 s) and renew period (default 5 s): a dead replica's slots stop counting after one
   * lease. A lease longer than the maximum stream age is never renewed (standalone: nothing outlives the process).
   */
  slotLeaseMs?: number;
  slotRenewMs?: number;
  /** Prefix of the Limits groups. Default `sse:`. */
  slotGroupPrefix?: string;
  /**
   * The address the per-client cap counts by. Default: `ctx.state.clientIp` when an edge middleware set it, else
   * the socket peer (`unknown` if absent), as upstream. Behind the gateway: clientAddressResolver(secret).
   */
  clientAddress?: ClientAddressOf;
}

/** Builds StreamOptions from a config holding the spec's variables (`loadServiceConfig('standalone')` has them). */
export function streamOptionsFromConfig(c: {
  PLANEXE_SSE_POLL_INTERVAL: number;
  PLANEXE_SSE_HEARTBEAT_INTERVAL: number;
  PLANEXE_SSE_MAX_DURATION: number;
  PLANEXE_SSE_MAX_CONNECTIONS: number;
  PLANEXE_SSE_MAX_TOTAL_CONNECTIONS: number;
}): StreamOptions {
  return {
    pollIntervalSeconds: c.PLANEXE_SSE_POLL_INTERVAL,
    heartbeatIntervalSeconds: c.PLANEXE_SSE_HEARTBEAT_INTERVAL,
    maxDurationSeconds: c.PLANEXE_SSE_MAX_DURATION,
    maxConnections: c.PLANEXE_SSE_MAX_CONNECTIONS,
    maxTotalConnections: c.PLANEXE_SSE_MAX_TOTAL_CONNECTIONS,
  };
}

export interface StreamStats {
  streams: number;
  slots: number;
  plans: number;
  listeners: number;
  subscriptions: number;
  queries: number;
  polling: boolean;
}

export interface StreamService {
  /** Koa mount: serves `GET /sse/plan/{plan_id}` behind the host app's edge middleware; the rest goes to `next`. */
  middleware: Middleware;
  /**
   * node:http mount ahead of any framework (the stream process): serves `GET /sse/plan/{plan_id}` and returns true,
   * or returns false for any other request. Saves Koa's ~2 KB of per-request state on every open stream.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Ends every open stream with a reconnect comment, answers new requests likewise, and waits for the slots to be released. */
  drain(): Promise<void>;
  /** drain(), then stops lease renewal, the poll timer and every bus subscription (deps stay open: the caller owns them). */
  close(): Promise<void>;
  stats(): StreamStats;
  readonly draining: boolean;
}

/** Socket errors of a client that went away: the one list in @planexe/http, re-exported for the stream's callers. */
export { isClientGone } from '@planexe/http';

/** What an SSE request is, from the route table: a plan stream (with its plan id, decoded once) or the MCP idle stream. */
type StreamRequest = { kind: 'plan'; planId: string } | { kind: 'mcp' };

function streamRequestOf(m: RouteMatch | undefined): StreamRequest | null {
  if (m?.kind !== 'route') return null;
  if (m.route.id === 'sse_plan') return { kind: 'plan', planId: m.params.plan_id };
  if (m.route.id === 'mcp_stream') return { kind: 'mcp' };
  return null;
}

const acceptsEventStream = (req: IncomingMessage) => /text\/event-stream/i.test(String(req.headers.accept ?? ''));

/** Last-Event-ID as a state version (our addition; the spec ignores it). */
function lastEventVersion(req: IncomingMessage): number {
  const v = String(req.headers['last-event-id'] ?? '').trim();
  return /^\d{1,15}$/.test(v) ? Number(v) : 0;
}

/** Headers and the retry hint: the response has started. The stream must outlive every socket timeout. */
function startResponse(req: IncomingMessage, res: ServerResponse): void {
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  res.writeHead(200, SSE_HEADERS);
  res.write(RETRY_HINT);
}

/** How a mount answers: Koa keeps its decorations and error body; node:http writes directly. */
interface Mount {
  req: IncomingMessage;
  res: ServerResponse;
  state?: { clientIp?: string };
  /** Called before the SSE response starts (Koa: hand the response over). */
  takeOver(): void;
  refuse(message: string): void;
  /** The MCP GET without `Accept: text/event-stream`: 406 with a JSON-RPC error (spec/http.md §6.1). */
  notAcceptable(): void;
}

const NOT_ACCEPTABLE = { jsonrpc: '2.0', error: { code: -32000, message: 'Not Acceptable: Client must accept text/event-stream' }, id: null };

function jsonError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(errorBody(code, message)));
}

/** The SSE progress stream (spec/sse.md), push-driven from the bus with a polling fallback. */
export function createStreamService(deps: StreamDeps, opts: StreamOptions): StreamService {
  const onError = (err: unknown) => deps.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'sse stream error');
  const timings: StreamTimings = {
    pollIntervalMs: opts.pollIntervalSeconds * 1000,
    heartbeatIntervalMs: opts.heartbeatIntervalSeconds * 1000,
    maxDurationSeconds: opts.maxDurationSeconds,
    keepAliveMs: Math.min(opts.keepAliveSeconds ?? 15, 15) * 1000,
  };
  const feeds = new PlanFeeds(deps.bus, deps.db, { pollIntervalMs: timings.pollIntervalMs, onError });
  const slots = new ConnectionSlots(deps.limits, {
    maxPerClient: opts.maxConnections,
    maxTotal: opts.maxTotalConnections,
    leaseMs: opts.slotLeaseMs,
    renewEveryMs: opts.slotRenewMs,
    maxHoldMs: opts.maxDurationSeconds * 1000,
    groupPrefix: opts.slotGroupPrefix,
    onError,
  });
  const clientAddress = opts.clientAddress ?? peerAddress;
  /** Open streams and the slot each holds. */
  const streams = new Map<PlanStream | IdleMcpStream, string>();
  /** Work drain() waits for: requests being set up, slot releases. Nothing per open stream is awaited. */
  const pending = new Set<Promise<void>>();
  let draining = false;

  function track(p: Promise<unknown>): void {
    const t: Promise<void> = p.then(
      () => void pending.delete(t),
      (e) => void (pending.delete(t), onError(e)),
    );
    pending.add(t);
  }

  const onEnd = (stream: PlanStream | IdleMcpStream) => {
    const holder = streams.get(stream);
    streams.delete(stream);
    if (holder) track(slots.release(holder));
  };

  const sendReconnect = (m: Mount) => {
    m.takeOver();
    startResponse(m.req, m.res);
    m.res.end(sseComment('reconnect: this server is shutting down'));
  };

  async function serve(m: Mount, what: StreamRequest): Promise<void> {
    if (what.kind === 'mcp' && !acceptsEventStream(m.req)) return m.notAcceptable();
    if (draining) return sendReconnect(m);
    // caps are checked and reserved before any byte of the response (upstream answered 200 and then failed)
    const r = await slots.reserve(clientAddress(m.req, m.state));
    if (!r.ok) return m.refuse(r.message);
    if (m.req.socket.destroyed || draining) {
      track(slots.release(r.holder));
      if (!m.req.socket.destroyed) sendReconnect(m);
      return;
    }
    m.takeOver();
    startResponse(m.req, m.res);
    if (what.kind === 'mcp') {
      streams.set(new IdleMcpStream(m.res, timings.keepAliveMs, timings.maxDurationSeconds * 1000, onEnd), r.holder);
      return;
    }
    const planId = what.planId;
    const stream = new PlanStream(m.res, planId, parseUuid(planId), feeds, timings, lastEventVersion(m.req), onEnd);
    streams.set(stream, r.holder);
    // returns once the first state is out: the stream then lives on with no promise pending
    await stream.start();
  }

  const middleware: Middleware = async (ctx: Context, next: Next) => {
    const what = streamRequestOf(routeOf(ctx));
    if (what === null) return next();
    const handled = serve(
      {
        req: ctx.req,
        res: ctx.res,
        state: ctx.state,
        takeOver: () => {
          ctx.respond = false;
          ctx.status = 200;
        },
        refuse: (message) => sendError(ctx, 429, 'SSE_CONNECTION_LIMIT', message),
        notAcceptable: () => {
          ctx.status = 406;
          ctx.body = NOT_ACCEPTABLE;
        },
      },
      what,
    );
    track(handled.catch(() => {}));
    try {
      await handled;
    } catch (e) {
      if (!ctx.headerSent) throw e;
      onError(e);
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const what = streamRequestOf(req.method && req.url ? matchRoute(req.method, pathOfUrl(req.url)) : undefined);
    if (what === null) return false;
    const mount: Mount = {
      req,
      res,
      takeOver: () => {},
      refuse: (msg) => jsonError(res, 429, 'SSE_CONNECTION_LIMIT', msg),
      notAcceptable: () => {
        res.writeHead(406, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(NOT_ACCEPTABLE));
      },
    };
    const handled = serve(mount, what).catch((e) => {
      onError(e);
      if (!res.headersSent) jsonError(res, 500, 'INTERNAL_ERROR', 'Internal Server Error');
      else res.destroy();
    });
    track(handled);
    return true;
  }

  async function drain(): Promise<void> {
    draining = true;
    for (const s of [...streams.keys()]) s.drain();
    while (pending.size) await Promise.all([...pending]);
  }

  return {
    middleware,
    handle,
    drain,
    async close() {
      await drain();
      slots.stop();
      await feeds.close();
    },
    stats: () => ({ streams: streams.size, slots: slots.size, ...feeds.stats() }),
    get draining() {
      return draining;
    },
  };
}
