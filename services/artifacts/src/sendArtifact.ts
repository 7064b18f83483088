import { PassThrough, pipeline, Readable } from 'node:stream';
import type { Context } from 'koa';
import type { ArtifactHandle } from '@planexe/artifact-sources';
import { sendError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';
import { decideRange, ifRangeHolds, noneMatchHit } from './httpRange.ts';

export interface SendOptions {
  contentType: string;
  disposition: string;
  /** Extra response headers (e.g. the report's sandbox policy). */
  headers?: Record<string, string>;
  log: Pick<Logger, 'warn'>;
}

export interface SendOutcome {
  status: number;
  bytes: number;
}

/**
 * Answers a GET/HEAD with an artifact: validators first (ETag = sha256, If-None-Match → 304, Range/If-Range →
 * 206/416), then the body streamed from the handle. A body that fails halfway cuts the connection, so a client never
 * takes a short body for a complete one (Content-Length is already sent). The handle is disposed when the
 * response is over, however it ends.
 */
export function sendArtifact(ctx: Context, h: ArtifactHandle, o: SendOptions): SendOutcome {
  const etag = `"${h.sha256}"`;
  ctx.set('ETag', etag);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('X-PlanExe-Source', h.source);
  ctx.set('Cache-Control', 'private, no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  for (const [k, v] of Object.entries(o.headers ?? {})) ctx.set(k, v);

  if (noneMatchHit(ctx.get('if-none-match'), etag)) {
    ctx.status = 304;
    void h.dispose();
    return { status: 304, bytes: 0 };
  }
  const range = ifRangeHolds(ctx.get('if-range') || undefined, etag) ? decideRange(ctx.get('range') || undefined, h.size) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    void h.dispose();
    sendError(ctx, 416, 'BAD_REQUEST', 'Range not satisfiable');
    ctx.set('Content-Range', `bytes */${h.size}`);
    return { status: 416, bytes: 0 };
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, h.size];
  ctx.status = range.kind === 'partial' ? 206 : 200;
  if (range.kind === 'partial') ctx.set('Content-Range', `bytes ${start}-${end - 1}/${h.size}`);
  ctx.set('Content-Disposition', o.disposition);

  if (ctx.method === 'HEAD') {
    ctx.body = Readable.from([]);
    ctx.type = o.contentType;
    ctx.length = end - start;
    void h.dispose();
    return { status: ctx.status, bytes: 0 };
  }
  // Koa sees only this PassThrough: a source error is handled here (cut the connection), never by Koa's
  // after-headers error path, which would leave the client waiting for bytes that never come
  const body = new PassThrough({ highWaterMark: 256 * 1024 });
  const source = h.open(start, end);
  pipeline(source, body, (err) => {
    if (!err) return;
    if (!ctx.res.destroyed) o.log.warn({ source: h.source, err: err.message }, 'artifact stream failed mid-body');
    ctx.res.destroy();
  });
  ctx.res.once('close', () => {
    source.destroy();
    void h.dispose();
  });
  ctx.body = body;
  ctx.type = o.contentType;
  ctx.length = end - start;
  return { status: ctx.status, bytes: end - start };
}
