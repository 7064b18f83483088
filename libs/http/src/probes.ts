import type { Context, Next } from 'koa';

export interface ProbeOptions {
  /** Process name in the /livez and /healthcheck bodies, e.g. `planexe-tools`. */
  service: string;
  /** Readiness for /readyz: false while starting or draining, so the load balancer sends nothing new. Default: ready. */
  ready?: () => boolean;
  /** The /healthcheck body; default `{status: 'ok', service}` (200), or 503 with `stopping` once not ready. */
  healthcheck?: (ctx: Context) => void | Promise<void>;
}

const PROBE_PATHS = new Set(['/livez', '/readyz', '/healthcheck']);

/**
 * The orchestrator probes of an internal service, answered before any auth (Kubernetes calls them without the
 * internal secret): `/livez` the process answers, `/readyz` it wants traffic, `/healthcheck` its own view.
 */
export function probes(o: ProbeOptions) {
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' || !PROBE_PATHS.has(ctx.path)) return next();
    ctx.set('Cache-Control', 'no-store');
    const ready = o.ready?.() ?? true;
    if (ctx.path === '/livez') {
      ctx.body = { status: 'ok', service: o.service };
    } else if (ctx.path === '/readyz') {
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'stopping', service: o.service };
    } else if (o.healthcheck) {
      await o.healthcheck(ctx);
    } else {
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ok' : 'stopping', service: o.service };
    }
  };
}
