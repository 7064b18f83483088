import type { Context, Next } from 'koa';
import { anonymousCaller, authenticate, extractApiKey, isPublicRequest, type AuthSettings, type DownloadTokens, type KeyCache } from '@planexe/auth';
import type { Db } from '@planexe/db';
import { readJsonBody, sendError, BodyTooLargeError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';

/** Only these paths are authenticated; discovery, health, docs and SSE are open by design (spec/http.md §3.1). */
const guarded = (path: string) => path.startsWith('/mcp') || path.startsWith('/download');

/** Bodies that decide publicness (spec/http.md §3.2). */
const inspectsBody = (method: string, path: string) => method === 'POST' && (path === '/mcp/' || path === '/mcp/tools/call');

function jsonRpcId(body: unknown): unknown {
  const first = Array.isArray(body) ? body[0] : body;
  return first && typeof first === 'object' && 'id' in first ? ((first as { id: unknown }).id ?? null) : null;
}

function rpcMethods(body: unknown): string[] | undefined {
  const msgs = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  const names = msgs.map((m: any) => (m?.method === 'tools/call' ? `tools/call:${m?.params?.name}` : m?.method)).filter((m) => typeof m === 'string');
  return names.length ? names.slice(0, 10) : undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export interface EdgeAuthOptions {
  db: Db;
  auth: AuthSettings;
  keyCache: KeyCache;
  tokens: DownloadTokens;
  maxBodyBytes: number;
  log: Logger;
}

/**
 * Decides who a request is (ctx.state.caller) and refuses what needs a key it lacks (spec/http.md §3). Bodies are
 * read to decide publicness and kept for the handler (or the proxy) unchanged; a body declared larger than the
 * limit is not read (the request is then simply not public, and the body-size rule answers 413 after auth). On
 * /mcp/ refusals are JSON-RPC errors with HTTP 200, so MCP clients do not start an OAuth discovery (none is offered).
 */
export function edgeAuth(o: EdgeAuthOptions) {
  return async (ctx: Context, next: Next) => {
    if (!guarded(ctx.path) || ctx.method === 'OPTIONS') {
      ctx.state.caller = undefined;
      return next();
    }
    let body: unknown;
    if (inspectsBody(ctx.method, ctx.path) && !(Number(ctx.get('content-length')) > o.maxBodyBytes)) {
      try {
        const b = await readJsonBody(ctx, o.maxBodyBytes);
        body = b.ok ? b.value : undefined;
      } catch (e) {
        // a chunked body past the limit: not public; the body-size rule answers 413 once the key is checked
        if (!(e instanceof BodyTooLargeError)) throw e;
      }
    }
    const key = extractApiKey(ctx.headers, ctx.query);
    ctx.state.apiKey = key; // the rate limiter keys on it (never logged, never forwarded)
    // a valid signed token for exactly /download/<plan_id>/<file> replaces the key (spec/http.md §9 step 1)
    const m = /^\/download\/([^/]+)\/([^/]+)$/.exec(ctx.path);
    const token = ctx.query.token;
    if (m && typeof token === 'string') {
      const planId = safeDecode(m[1]);
      const file = safeDecode(m[2]);
      if (planId !== undefined && file !== undefined && o.tokens.verify(token, planId, file)) {
        ctx.state.caller = anonymousCaller();
        return next();
      }
    }
    // even an open request with a key has that key checked, so a client learns of a bad key at connect time
    if (!key && isPublicRequest(ctx.method, ctx.path, body)) {
      ctx.state.caller = anonymousCaller();
      return next();
    }
    const r = await authenticate(o.db, key, o.auth, o.keyCache);
    if (r.ok) {
      ctx.state.caller = r.caller;
      return next();
    }
    o.log.warn(
      {
        reason: r.status === 401 ? 'missing_key' : 'invalid_key',
        method: ctx.method,
        path: ctx.path,
        ip: ctx.ip,
        ua: ctx.get('user-agent') || undefined,
        rpc: rpcMethods(body),
      },
      'request refused',
    );
    if (ctx.path === '/mcp/') {
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = { jsonrpc: '2.0', error: { code: -32001, message: r.detail }, id: jsonRpcId(body) };
      return;
    }
    sendError(ctx, r.status, r.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', r.detail);
  };
}
