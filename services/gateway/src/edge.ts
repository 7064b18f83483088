import Koa, { type Context, type Middleware } from 'koa';
import { downloadTokensFromConfig, FailedAuthThrottle, KeyCache, KeyDirectory, type DownloadTokens } from '@planexe/auth';
import type { authVars, EnvConfig, httpVars } from '@planexe/config';
import { spanName } from '@planexe/contracts';
import type { Db } from '@planexe/db';
import type { Limits } from '@planexe/infra';
import { hostGuard, hostGuardActive, isClientGone, matchedRoute, refuseUnrouted, routeOf, sendError } from '@planexe/http';
import { koaTracing, type Logger } from '@planexe/telemetry';
import { accessLog, errorBoundary, securityHeaders, type EdgeHandlers } from './edgeBasics.ts';
import { corsDecoration, corsPolicy, corsPreflight, parseCorsOrigins } from './cors.ts';
import { edgeAuth } from './edgeAuth.ts';
import { mcpClassify } from './edgeRpc.ts';
import { bodyLimit } from './bodyLimit.ts';
import { rateLimits } from './rateLimits.ts';
import { discoveryHandlers } from './discovery.ts';
import { healthHandlers, Lifecycle, type HealthCheck } from './health.ts';
import { docsHandlers } from './docsRoutes.ts';

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
  /** Failed-auth throttle; default: the main rate limit's count and window (at least 20) on `limits`. */
  authThrottle?: FailedAuthThrottle;
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
 * The public edge as one Koa app, identical in standalone and distributed mode: request span → error boundary →
 * access log → DNS-rebinding guard → security headers → CORS decoration → route gate (the request is matched once
 * against the route table: no route → 404, wrong method → 405 + Allow, OPTIONS → CORS preflight or Allow) → MCP
 * header classification (edgeRpc.ts: header/body agreement, or the body left unparsed on the hot path) → auth,
 * body size and rate limits as the matched route's policy says → the edge's own routes. Routes other services own
 * go on to what the caller mounts after it (in-process services or the proxy).
 */
export function createEdge(d: EdgeDeps): Edge {
  const c = d.config;
  const hops = c.PLANEXE_MCP_TRUST_PROXY_HOPS;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const tokens = d.tokens ?? downloadTokensFromConfig(c);
  const keyCache = d.keyCache ?? new KeyCache(5_000); // a revoked key stops working within 5 s
  const lifecycle = new Lifecycle();
  const cors = corsPolicy(parseCorsOrigins(c.PLANEXE_MCP_CORS_ORIGINS, c.PLANEXE_MCP_REQUIRE_AUTH));
  const preflight = corsPreflight(cors);
  // errors after the answer started (mostly a client leaving a stream): logged, not printed by Koa's default
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (isClientGone(err)) return;
    d.log.warn({ err: err?.message }, 'response stream error');
  });

  if (d.tracing) app.use(koaTracing(d.serviceName ?? 'planexe-gateway', (ctx) => spanName(ctx.method, matchedRoute(ctx)?.route)));
  app.use(errorBoundary(d.log));
  app.use(accessLog(d.log));
  if (hostGuardActive(d.bindHost)) app.use(hostGuard(d.bindHost));
  app.use(securityHeaders());
  app.use(corsDecoration(cors));
  app.use(async (ctx, next) => {
    const m = routeOf(ctx);
    if (m.kind === 'route') return next();
    // OPTIONS on a known path: a CORS preflight is answered by the CORS layer, anything else with Allow
    if (m.kind === 'options') return preflight(ctx, async () => refuseUnrouted(ctx, m));
    return refuseUnrouted(ctx, m);
  });
  app.use(mcpClassify({ maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES, planCreateCost: c.PLANEXE_MCP_PLAN_CREATE_COST }));
  app.use(
    edgeAuth({
      db: d.db,
      auth: { requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, sharedKey: c.PLANEXE_MCP_API_KEY, apiKeySecret: c.PLANEXE_API_KEY_SECRET },
      keyCache,
      tokens,
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
      log: d.log,
      throttle: d.authThrottle ?? authThrottleFor(c, d),
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
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
    }),
  );
  const handlers: EdgeHandlers = {
    ...healthHandlers({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, checks: d.health }, lifecycle),
    ...discoveryHandlers({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, glamaEmail: c.PLANEXE_MCP_GLAMA_MAINTAINER_EMAIL, publicBaseUrl: c.PLANEXE_MCP_PUBLIC_BASE_URL }),
    ...docsHandlers({ requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, downloadTokenTtlSeconds: c.PLANEXE_DOWNLOAD_TOKEN_TTL, planCreateCost: c.PLANEXE_MCP_PLAN_CREATE_COST }),
  };
  app.use(async (ctx, next) => {
    const m = matchedRoute(ctx)!;
    if (m.route.owner !== 'edge') return next();
    const handler = handlers[m.route.id];
    if (!handler) return sendError(ctx, 404, 'NOT_FOUND', 'Not Found');
    await handler(ctx, m.params);
  });
  return { app, lifecycle, keyCache, tokens };
}

/**
 * The failed-auth throttle from the main rate limit: an address may fail authentication as often per window as a key
 * may make requests (at least 20), on the same Limits port; off when rate limits are off.
 */
function authThrottleFor(c: EdgeConfig, d: EdgeDeps): FailedAuthThrottle | undefined {
  if (c.PLANEXE_MCP_RATE_LIMIT <= 0) return undefined;
  return new FailedAuthThrottle(d.limits, new KeyDirectory(d.db), { limit: Math.max(20, c.PLANEXE_MCP_RATE_LIMIT), windowSeconds: c.PLANEXE_MCP_RATE_WINDOW_SECONDS });
}

/** The last middleware: the contract's 404 for a route whose owner is not mounted here. */
export function notFound(): Middleware {
  return async (ctx: Context) => sendError(ctx, 404, 'NOT_FOUND', 'Not Found');
}
