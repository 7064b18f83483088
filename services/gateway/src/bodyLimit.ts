import type { Context, Next } from 'koa';
import { BodyTooLargeError, sendError } from '@planexe/http';

/**
 * Body size rule of spec/http.md §5.1, after auth, for POST /mcp/tools/call and POST /mcp/ only: the REST bridge
 * needs a Content-Length (411), a malformed one is 400, one above the limit is 413. A chunked body that outgrew
 * the limit while auth read it is 413 too (upstream leaves chunked bodies unlimited; we do not).
 */
export function bodyLimit(maxBytes: number) {
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || (ctx.path !== '/mcp/tools/call' && ctx.path !== '/mcp/')) return next();
    if ((ctx.state as { rawBodyError?: Error }).rawBodyError instanceof BodyTooLargeError) {
      return sendError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    }
    const raw = ctx.get('content-length');
    if (!raw) {
      if (ctx.path === '/mcp/tools/call') return sendError(ctx, 411, 'LENGTH_REQUIRED', 'Length Required');
      return next();
    }
    if (!/^\s*\d+\s*$/.test(raw)) return sendError(ctx, 400, 'BAD_REQUEST', 'Invalid Content-Length header');
    if (Number(raw) > maxBytes) return sendError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
    return next();
  };
}
