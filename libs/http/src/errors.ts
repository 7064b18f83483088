import type { Context } from 'koa';
import type { ErrorCode } from '@planexe/contracts';

/**
 * The contract's HTTP error body. `detail` repeats the message for clients written against upstream's
 * `{"detail": …}` bodies.
 */
export function sendError(ctx: Context, status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { error: { code, message, ...(details ? { details } : {}) }, detail: message };
}
