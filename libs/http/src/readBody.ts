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

/**
 * How deep a JSON body may nest. Nothing the contract takes nests past a handful of levels, and a deeper value is a
 * weapon: JSON.parse takes 20,000 levels in 120 KB, but walking them (JSON.stringify, a schema, the MCP SDK's
 * classifier) overflows the stack, which would surface as a 500. Such a body is refused as not JSON, at the one reader.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests objects/arrays deeper than `max` (iterative: the check itself cannot overflow). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** The body parsed as JSON (memoised); `{ok:false}` when it is not JSON, or nests deeper than MAX_JSON_DEPTH. */
export async function readJsonBody(ctx: Context, limit: number): Promise<JsonBody> {
  const state = ctx.state as { jsonBody?: JsonBody };
  if (state.jsonBody) return state.jsonBody;
  const raw = await readRawBody(ctx, limit);
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    state.jsonBody = nestsDeeperThan(value, MAX_JSON_DEPTH) ? { ok: false } : { ok: true, value };
  } catch {
    state.jsonBody = { ok: false };
  }
  return state.jsonBody;
}
