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
