import Koa, { type Context, type Middleware } from 'koa';
import compose from 'koa-compose';
import { DownloadTokens, KeyCache } from '@planexe/auth';
import type { authVars, EnvConfig, httpVars } from '@planexe/config';
import type { Db } from '@planexe/db';
import type { Limits } from '@planexe/infra';
import { hostGuard, hostGuardActive } from '@planexe/http';
import { koaTracing, type Logger } from '@planexe/telemetry';
import { accessLog, errorBoundary, normalisePath } from './edgeBasics.ts';
import { corsDecoration, corsPolicy, corsPreflight, parseCorsOrigins } from './cors.ts';
import { edgeAuth } from './edgeAuth.ts';
import { bodyLimit } from './bodyLimit.ts';
import { rateLimits } from './rateLimits.ts';
import { discoveryRouter } from './discovery.ts';
import { healthRouter, Lifecycle, type HealthCheck } from './health.ts';
import { docsRouter } from './docsRoutes.ts';

/** The variables the edge reads (present in the gateway's and the standalone's schema alike). */
export type EdgeConfig = EnvConfig<typeof authVars & typeof httpVars>;

export interface EdgeDeps {
  db: Db;
  limits: Limits;
  config: EdgeConfig;
  log: Logger;
  /** Host the server binds to (a loopback bind turns on the DNS-rebinding guard). */
  bindHost: string;
  /** Dependency checks for /healthcheck (database, redis, nats, …). */
  health: Record<string, HealthCheck>;
  /** True while the limits answer from memory (Redis unreachable). */
  limitsDegraded?: () => boolean;
  keyCache?: KeyCache;
  tokens?: DownloadTokens;
  /** One span per request (the process called initTelemetry); off, the edge skips the tracing work. */
  tracing?: boolean;
  /** service.name of the request spans. Default `planexe-gateway`. */
  serviceName?: string;
}

export interface Edge {
  /** The edge chain and the edge's own routes; mount the services after it, then `notFound()`. */
  app: Koa;
  lifecycle: Lifecycle;
  keyCache: KeyCache;
  tokens: DownloadTokens;
}

/**
 * The public edge as one Koa app, identical in standalone and distributed mode (spec/http.md §1): request span →
 * error boundary →
 * access log → DNS-rebinding guard → path normaliser → gatekeeper (CORS decoration around auth → body size → rate
 * limits) → CORS preflights → health, discovery and docs routes. What comes after (in-process services or the
 * proxy) is the caller's.
 */
export function createEdge(d: EdgeDeps): Edge {
  const c = d.config;
  const hops = c.PLANEXE_MCP_TRUST_PROXY_HOPS;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const tokens = d.tokens ?? new DownloadTokens([c.PLANEXE_DOWNLOAD_TOKEN_SECRET, c.PLANEXE_API_KEY_SECRET], c.PLANEXE_DOWNLOAD_TOKEN_TTL);
  const keyCache = d.keyCache ?? new KeyCache(5_000); // a revoked key stops working within 5 s
  const lifecycle = new Lifecycle();
  const cors = corsPolicy(parseCorsOrigins(c.PLANEXE_MCP_CORS_ORIGINS, c.PLANEXE_MCP_REQUIRE_AUTH));
  // errors after the answer started (mostly a client leaving a stream): logged, not printed by Koa's default
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err?.code === 'ERR_STREAM_PREMATURE_CLOSE' || err?.code === 'ECONNRESET' || err?.message === 'aborted') return;
    d.log.warn({ err: err?.message }, 'response stream error');
  });

  if (d.tracing) app.use(koaTracing(d.serviceName ?? 'planexe-gateway'));
  app.use(errorBoundary(d.log));
  app.use(accessLog(d.log));
  if (hostGuardActive(d.bindHost)) app.use(hostGuard(d.bindHost));
  app.use(normalisePath());
  app.use(corsDecoration(cors));
  app.use(
    edgeAuth({
      db: d.db,
      auth: { requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, sharedKey: c.PLANEXE_MCP_API_KEY, apiKeySecret: c.PLANEXE_API_KEY_SECRET },
      keyCache,
      tokens,
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
      log: d.log,
    }),
  );
  app.use(bodyLimit(c.PLANEXE_MCP_MAX_BODY_BYTES));
  app.use(
    rateLimits({
      limits: d.limits,
      main: { limit: c.PLANEXE_MCP_RATE_LIMIT, windowSeconds: c.PLANEXE_MCP_RATE_WINDOW_SECONDS, planCreateCost: c.PLANEXE_MCP_PLAN_CREATE_COST },
      download: { limit: c.PLANEXE_MCP_DOWNLOAD_RATE_LIMIT, windowSeconds: c.PLANEXE_MCP_DOWNLOAD_RATE_WINDOW_SECONDS },
      log: d.log,
      degraded: d.limitsDegraded,
    }),
  );
  app.use(corsPreflight(cors));
  const edgeRoutes = compose(
    [
      healthRouter({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, checks: d.health }, lifecycle),
      discoveryRouter({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, glamaEmail: c.PLANEXE_MCP_GLAMA_MAINTAINER_EMAIL }),
      docsRouter({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, downloadTokenTtlSeconds: c.PLANEXE_DOWNLOAD_TOKEN_TTL, planCreateCost: c.PLANEXE_MCP_PLAN_CREATE_COST }),
    ].map((r) => r.routes() as unknown as Middleware),
  );
  // the hot paths (/mcp/…, /sse/…, /download/…) never match an edge route: skip the routers' matching for them
  app.use((ctx, next) => (/^\/(mcp|sse|download)\//.test(ctx.path) ? next() : edgeRoutes(ctx, next)));
  return { app, lifecycle, keyCache, tokens };
}

/** The last middleware: the contract's 404 for anything no route claimed. */
export function notFound() {
  return async (ctx: Context) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: 'Not Found' }, detail: 'Not Found' };
  };
}
