import type { Context, Next } from 'koa';
import type { Logger } from '@planexe/telemetry';

/** Outermost: any escaped exception becomes a JSON 500 with no stack trace or SQL text. */
export function errorBoundary(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err: any) {
      const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) log.error({ err: err?.message ?? String(err), path: ctx.path, method: ctx.method }, 'unhandled error');
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = status;
      ctx.type = 'application/json';
      const message = status === 500 ? 'Internal Server Error' : String(err?.expose ? err.message : 'Bad Request');
      ctx.body = { error: { code: status === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', message }, detail: message };
    }
  };
}

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
