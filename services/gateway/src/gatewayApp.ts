import type { Context, Next } from 'koa';
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
 * The distributed gateway: the edge (auth, CORS, body size, shared rate limits, discovery, health, docs), then
 * each request handed to the service that owns its path. Paths nobody owns get the edge's 404 (after auth, for
 * look-alikes such as /mcpx and /downloads).
 */
export function createGatewayApp(d: GatewayDeps): Edge {
  if (!d.internalSecret) throw new Error('createGatewayApp: an internal secret is required (PLANEXE_INTERNAL_SECRET)');
  const edge = createEdge(d);
  const proxyTo = createProxy({ internalSecret: d.internalSecret, timeoutMs: d.upstreamTimeoutMs, log: d.log, tracing: d.tracing });
  const tools = proxyTo({ name: 'tools', baseUrl: d.upstreams.tools });
  const stream = proxyTo({ name: 'stream', baseUrl: d.upstreams.stream, streaming: true });
  const artifacts = proxyTo({ name: 'artifacts', baseUrl: d.upstreams.artifacts, streaming: true });
  edge.app.use(async (ctx: Context, next: Next) => {
    const p = ctx.path;
    if (p.startsWith('/mcp/') || p.startsWith('/examples/')) return tools(ctx, next);
    if (p.startsWith('/sse/')) return stream(ctx, next);
    if (p.startsWith('/download/')) return artifacts(ctx, next);
    return next();
  });
  edge.app.use(notFound());
  return edge;
}
