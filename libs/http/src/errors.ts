import type { Context } from 'koa';
import type { ErrorCode } from '@planexe/contracts';

/** The contract's error body, `{error: {code, message, details?}, detail}`, the one place it is spelled. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  detail: string;
}

/**
 * The body of every HTTP error answer. `detail` repeats the message for clients written against upstream's
 * `{"detail": …}` bodies; `opts.detail` overrides it where upstream's text differs from ours (download tokens).
 */
export function errorBody(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; detail?: string } = {}): ErrorBody {
  return { error: { code, message, ...(opts.details ? { details: opts.details } : {}) }, detail: opts.detail ?? message };
}

/** Answers a Koa request with the contract's error body. */
export function sendError(ctx: Context, status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = errorBody(code, message, { details });
}
