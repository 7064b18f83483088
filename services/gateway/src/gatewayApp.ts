import type { Context, Middleware, Next } from 'koa';
import { PLAN_STATUS_MAX_WAIT_SECONDS, type RouteOwner } from '@planexe/contracts';
import { matchedRoute } from '@planexe/http';
import type { GatewayConfig } from '@planexe/config';
import { createEdge, notFound, type Edge, type EdgeDeps } from './edge.ts';
import { createProxy } from './proxy.ts';

export interface GatewayDeps extends EdgeDeps {
  /** Base URLs of the internal services: one per replica, or one load-balanced address each. */
  upstreams: { tools: string | readonly string[]; stream: string | readonly string[]; artifacts: string | readonly string[] };
  /** PLANEXE_INTERNAL_SECRET, which the internal services require. */
  internalSecret: string;
  /** Header wait (and non-SSE body silence) per upstream request, ms. */
  upstreamTimeoutMs: number;
}

/**
 * The distributed gateway: the edge (route gate, auth, CORS, body size, shared rate limits, discovery, health, docs),
 * then each request handed to the service that owns its matched route. Paths no route has got the edge's 404 before
 * any auth-sensitive step ran.
 */
export function createGatewayApp(d: GatewayDeps): Edge {
  if (!d.internalSecret) throw new Error('createGatewayApp: an internal secret is required (PLANEXE_INTERNAL_SECRET)');
  const edge = createEdge(d);
  const proxyTo = createProxy({ internalSecret: d.internalSecret, timeoutMs: d.upstreamTimeoutMs, log: d.log, tracing: d.tracing });
  // a plan_status wait answers after up to PLAN_STATUS_MAX_WAIT_SECONDS, plus the reads around it
  const tools = proxyTo({ name: 'tools', baseUrl: d.upstreams.tools, longPollMs: (PLAN_STATUS_MAX_WAIT_SECONDS + 10) * 1000 });
  const stream = proxyTo({ name: 'stream', baseUrl: d.upstreams.stream, streaming: true });
  const artifacts = proxyTo({ name: 'artifacts', baseUrl: d.upstreams.artifacts, streaming: true });
  const byOwner: Partial<Record<RouteOwner, Middleware>> = { tools, stream, artifacts };
  // the edge matched the request once; its route's owner serves it
  edge.app.use(async (ctx: Context, next: Next) => {
    const owner = matchedRoute(ctx)?.route.owner;
    const upstream = owner && byOwner[owner];
    return upstream ? upstream(ctx, next) : next();
  });
  edge.app.use(notFound());
  return edge;
}

/** What the gateway is given besides its config: the adapters the process (or a test) chose. */
export type GatewayAdapters = Omit<EdgeDeps, 'config' | 'bindHost'> & { bindHost?: string };

/**
 * The gateway wired from its config the same way in every caller (the distributed main, the test harness, the
 * benchmarks): upstream URLs, the internal secret and the upstream timeout all come from the config.
 */
export function gatewayFromConfig(c: GatewayConfig, a: GatewayAdapters): Edge {
  return createGatewayApp({
    ...a,
    config: c,
    bindHost: a.bindHost ?? c.PLANEXE_MCP_HTTP_HOST,
    upstreams: { tools: c.PLANEXE_TOOLS_URL, stream: c.PLANEXE_STREAM_URL, artifacts: c.PLANEXE_ARTIFACTS_URL },
    internalSecret: c.PLANEXE_INTERNAL_SECRET ?? '',
    upstreamTimeoutMs: c.PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS * 1000,
  });
}
