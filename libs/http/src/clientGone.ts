import type { ServerResponse } from 'node:http';

/**
 * Socket errors of a client that went away mid-answer (a closed tab, a cancelled download, an SSE reader that
 * left). Koa reports them through the app's 'error' event once a streamed body ends; they are routine, not
 * failures, so every app drops them from its error log through this one list.
 */
const CLIENT_GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

export function isClientGone(err: { code?: string; message?: string } | null | undefined): boolean {
  if (!err) return false;
  // node:http's IncomingMessage emits a bare `aborted` error when the request side closes early
  return CLIENT_GONE_CODES.has(err.code ?? '') || err.message === 'aborted';
}

/**
 * An abort signal for work done on behalf of a request (a plan_status wait): aborted when the client goes away before
 * its answer is written, so the work stops and frees what it holds. `release()` once the work is over.
 */
export function clientGoneSignal(res: ServerResponse): { signal: AbortSignal; release(): void } {
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.once('close', onClose);
  return { signal: gone.signal, release: () => res.off('close', onClose) };
}
