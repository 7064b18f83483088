import type { Context, Next } from 'koa';
import type { RouteId } from '@planexe/contracts';
import type { Logger } from '@planexe/telemetry';

export { errorBoundary } from '@planexe/http';

/** The handlers of the routes the edge answers itself, by route id (the route table decided the route). */
export type EdgeHandlers = Partial<Record<RouteId, (ctx: Context, params: Record<string, string>) => unknown>>;

/** What a JSON (or plain) answer may do in a browser: nothing, and it may not be framed. */
export const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every answer: no MIME sniffing, no framing, no referrer, and a Content-Security-Policy that
 * allows nothing unless the handler set its own (the docs page, a report's sandbox). Set before the handler, so
 * answers a handler writes itself (streams) and the proxy's copies of upstream headers override them.
 */
export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', JSON_CSP);
    await next();
  };
}

/** One JSON log line per request, without keys, tokens or bodies. */
export function accessLog(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      log.info({ method: ctx.method, path: ctx.path.slice(0, 300), status: ctx.status, ms: Math.round(performance.now() - t0) }, 'request');
    }
  };
}
