import type { Context, Next } from 'koa';
import { BodyTooLargeError, matchedRoute, sendError } from '@planexe/http';

/**
 * Body size rule of spec/http.md §5.1, after auth, for POSTs to the routes whose body policy reads a body: a route
 * that requires a length (the REST bridge) answers 411 without one, a malformed Content-Length is 400, one above the
 * limit is 413. A chunked body that outgrew the limit while auth read it is 413 too (upstream leaves chunked bodies
 * unlimited; we do not).
 */
export function bodyLimit(maxBytes: number) {
  return async (ctx: Context, next: Next) => {
    const route = matchedRoute(ctx)?.route;
    if (!route || route.body === 'none' || ctx.method !== 'POST') return next();
    if ((ctx.state as { rawBodyError?: Error }).rawBodyError instanceof BodyTooLargeError) {
      return sendError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    }
    const raw = ctx.get('content-length');
    if (!raw) {
      if (route.body === 'json-length-required') return sendError(ctx, 411, 'LENGTH_REQUIRED', 'Length Required');
      return next();
    }
    if (!/^\s*\d+\s*$/.test(raw)) return sendError(ctx, 400, 'BAD_REQUEST', 'Invalid Content-Length header');
    if (Number(raw) > maxBytes) return sendError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    return next();
  };
}
