import getRawBody from 'raw-body';
import type { Context } from 'koa';

export class BodyTooLargeError extends Error {}

/** The raw request body, read once per request (the edge and the tools handler share it), at most `limit` bytes. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const state = ctx.state as { rawBody?: Buffer; rawBodyError?: Error };
  if (state.rawBody) return state.rawBody;
  // a failed read consumed part of the stream: every later reader gets the same failure, never a hang
  if (state.rawBodyError) throw state.rawBodyError;
  try {
    state.rawBody = await getRawBody(ctx.req, { limit });
  } catch (e: any) {
    state.rawBodyError = e?.type === 'entity.too.large' ? new BodyTooLargeError('Request body too large') : e;
    throw state.rawBodyError;
  }
  return state.rawBody;
}

export type JsonBody = { ok: true; value: unknown } | { ok: false };

/** The body parsed as JSON (memoised); `{ok:false}` when it is not JSON. */
export async function readJsonBody(ctx: Context, limit: number): Promise<JsonBody> {
  const state = ctx.state as { jsonBody?: JsonBody };
  if (state.jsonBody) return state.jsonBody;
  const raw = await readRawBody(ctx, limit);
  try {
    state.jsonBody = { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    state.jsonBody = { ok: false };
  }
  return state.jsonBody;
}
