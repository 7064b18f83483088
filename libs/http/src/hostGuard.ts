import type { Context, Next } from 'koa';

const LOOPBACK_BIND = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether hostGuard does anything for this bind host (it is a pass-through otherwise). */
export const hostGuardActive = (bindHost: string): boolean => LOOPBACK_BIND.has(bindHost);

/**
 * DNS-rebinding guard (spec/http.md §6.1): while the server is bound to a loopback address, the Host header must
 * name a loopback host with a port, and a present Origin must be a loopback http origin. Off for other binds.
 */
export function hostGuard(bindHost: string) {
  if (!LOOPBACK_BIND.has(bindHost)) return async (_ctx: Context, next: Next) => next();
  const hostOk = (h: string) => /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/i.test(h);
  const originOk = (o: string) => /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(o);
  return async (ctx: Context, next: Next) => {
    const host = ctx.get('host');
    if (!hostOk(host)) {
      ctx.status = 421;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Host header';
      return;
    }
    const origin = ctx.get('origin');
    if (origin && !originOk(origin)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Origin header';
      return;
    }
    await next();
  };
}
