import type { Context, Next } from 'koa';
import type { ErrorCode } from '@planexe/contracts';
import { sendError } from './errors.ts';

interface Log {
  error(obj: object, msg: string): void;
}

/** Outermost: any escaped exception becomes a JSON 500 (or its 4xx) with no stack trace or SQL text. */
export function errorBoundary(log: Log) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err: any) {
      const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) log.error({ err: err?.message ?? String(err), path: ctx.path, method: ctx.method }, 'unhandled error');
      if (ctx.headerSent || !ctx.writable) return;
      const code: ErrorCode = status === 500 ? 'INTERNAL_ERROR' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      const message = status === 500 ? 'Internal Server Error' : String(err?.expose ? err.message : 'Bad Request');
      sendError(ctx, status, code, message);
    }
  };
}
