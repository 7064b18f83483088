import type { Context, Next } from 'koa';
import type { Logger } from '@planexe/telemetry';

export { errorBoundary } from '@planexe/http';

/** `/mcp` is served as `/mcp/` in place (never a redirect), before any rule looks at the path. */
export function normalisePath() {
  return async (ctx: Context, next: Next) => {
    if (ctx.path === '/mcp') ctx.path = '/mcp/';
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
      log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - t0) }, 'request');
    }
  };
}
