import getRawBody from 'raw-body';
import type { Context } from 'koa';

export class BodyTooLargeError extends Error {}

/** The raw request body, read once per request (the edge and the tools handler share it), at most `limit` bytes. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const state = ctx.state as { rawBody?: Buffer };
  if (state.rawBody) return state.rawBody;
  try {
    state.rawBody = await getRawBody(ctx.req, { limit });
  } catch (e: any) {
    if (e?.type === 'entity.too.large') throw new BodyTooLargeError('Request body too large');
    throw e;
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
