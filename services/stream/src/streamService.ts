import Koa, { type Context, type Middleware, type Next } from 'koa';
import { parseUuid } from '@planexe/contracts';
import type { Db } from '@planexe/db';
import { sendError } from '@planexe/http';
import type { Limits, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { peerAddress } from './clientAddress.ts';
import { ConnectionSlots } from './connectionSlots.ts';
import { PlanFeeds } from './planFeeds.ts';
import { PlanStream, type StreamTimings } from './planStream.ts';
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
  /** Slot lease (default 60 s) and renew period (default 20 s): a dead replica's slots stop counting after one lease. */
  slotLeaseMs?: number;
  slotRenewMs?: number;
  /** Prefix of the Limits groups. Default `sse:`. */
  slotGroupPrefix?: string;
  /**
   * The client address the per-client cap counts by. Default: `ctx.state.clientIp` when an edge middleware set it,
   * else the socket peer address (`unknown` if absent), as upstream. See clientAddressResolver for the gateway case.
   */
  clientAddress?: (ctx: Context) => string;
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
  /** Serves `GET /sse/plan/{plan_id}`; every other request goes to `next`. */
  middleware: Middleware;
  /** Ends every open stream with a reconnect comment, answers new requests likewise, and waits for the slots to be released. */
  drain(): Promise<void>;
  /** drain(), then stops lease renewal, the poll timer and every bus subscription (deps stay open: the caller owns them). */
  close(): Promise<void>;
  stats(): StreamStats;
  readonly draining: boolean;
}

const ROUTE = /^\/sse\/plan\/([^/]+)$/;

function decodePathValue(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Last-Event-ID as a state version (our addition; the spec ignores it). */
function lastEventVersion(ctx: Context): number {
  const v = ctx.get('Last-Event-ID').trim();
  return /^\d{1,15}$/.test(v) ? Number(v) : 0;
}

/** Headers and the retry hint: the response has started. The stream must outlive every socket timeout. */
function startResponse(ctx: Context): void {
  ctx.respond = false;
  ctx.status = 200;
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  ctx.res.writeHead(200, SSE_HEADERS);
  ctx.res.write(RETRY_HINT);
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
    groupPrefix: opts.slotGroupPrefix,
    onError,
  });
  const clientAddress = opts.clientAddress ?? peerAddress;
  const streams = new Set<PlanStream>();
  const handlers = new Set<Promise<void>>();
  let draining = false;

  const sendReconnect = (ctx: Context) => {
    startResponse(ctx);
    ctx.res.end(sseComment('reconnect: this server is shutting down'));
  };

  async function serve(ctx: Context, planId: string): Promise<void> {
    if (draining) return sendReconnect(ctx);
    // caps are checked and reserved before any byte of the response (upstream answered 200 and then failed)
    const r = await slots.reserve(clientAddress(ctx));
    if (!r.ok) return sendError(ctx, 429, 'SSE_CONNECTION_LIMIT', r.message);
    try {
      if (ctx.req.socket.destroyed) return;
      if (draining) return sendReconnect(ctx);
      startResponse(ctx);
      const stream = new PlanStream(ctx.res, planId, parseUuid(planId), feeds, timings, lastEventVersion(ctx));
      streams.add(stream);
      try {
        await stream.run();
      } finally {
        streams.delete(stream);
      }
    } finally {
      await slots.release(r.holder);
    }
  }

  const middleware: Middleware = async (ctx: Context, next: Next) => {
    const m = ctx.method === 'GET' ? ROUTE.exec(ctx.path) : null;
    if (!m) return next();
    const handled = serve(ctx, decodePathValue(m[1]));
    const tracked = handled.catch(() => {});
    handlers.add(tracked);
    try {
      await handled;
    } catch (e) {
      if (!ctx.headerSent) throw e;
      onError(e);
    } finally {
      handlers.delete(tracked);
    }
  };

  async function drain(): Promise<void> {
    draining = true;
    for (const s of [...streams]) s.drain();
    while (handlers.size) await Promise.all([...handlers]);
  }

  return {
    middleware,
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

/**
 * The stream service as its own Koa app (distributed mode): the SSE route, the probes (`/livez`; `/readyz` 503
 * while draining, so the load balancer stops sending streams here; `/healthcheck` with the bus state) and a JSON 404.
 */
export function createStreamApp(service: StreamService, opts: { busConnected?: () => boolean } = {}): Koa {
  const app = new Koa({ proxy: false });
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || !['/livez', '/readyz', '/healthcheck'].includes(ctx.path)) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/livez') return void (ctx.body = { status: 'ok' });
    ctx.status = service.draining ? 503 : 200;
    if (ctx.path === '/readyz') return void (ctx.body = { status: service.draining ? 'stopping' : 'ready' });
    const bus = opts.busConnected?.() ?? true;
    ctx.body = { status: service.draining ? 'stopping' : bus ? 'healthy' : 'degraded', dependencies: { nats: bus ? 'ok' : 'down' }, ...service.stats() };
  });
  app.use(service.middleware);
  app.use(async (ctx) => sendError(ctx, 404, 'NOT_FOUND', 'Not Found'));
  return app;
}
