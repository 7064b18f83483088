import type { Context, Next } from 'koa';
import { authenticate, extractApiKey, isPublicRequest, type AuthSettings, type KeyCache } from '@planexe/auth';
import type { Db } from '@planexe/db';
import { readJsonBody, sendError, BodyTooLargeError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';
import type { DownloadTokens } from '@planexe/auth';

/** Only these paths are authenticated; discovery, health and SSE are open by design (spec/http.md §3.1). */
const guarded = (path: string) => path.startsWith('/mcp') || path.startsWith('/download');

function jsonRpcId(body: unknown): unknown {
  const first = Array.isArray(body) ? body[0] : body;
  return first && typeof first === 'object' && 'id' in first ? (first as { id: unknown }).id ?? null : null;
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
 * Decides who a request is (ctx.state.caller) and refuses what needs a key it lacks. Bodies are inspected to
 * decide publicness and passed on unchanged. On /mcp/ refusals are JSON-RPC errors with HTTP 200, so MCP
 * clients do not start an OAuth discovery (none is offered).
 */
export function edgeAuth(o: EdgeAuthOptions) {
  return async (ctx: Context, next: Next) => {
    if (!guarded(ctx.path) || ctx.method === 'OPTIONS') {
      ctx.state.caller = undefined;
      return next();
    }
    let body: unknown;
    if (ctx.method === 'POST') {
      try {
        const b = await readJsonBody(ctx, o.maxBodyBytes);
        body = b.ok ? b.value : undefined;
      } catch (e) {
        if (e instanceof BodyTooLargeError) return sendError(ctx, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
        throw e;
      }
    }
    const key = extractApiKey(ctx.headers, ctx.query);
    const m = /^\/download\/([^/]+)\/([^/]+)$/.exec(ctx.path);
    const tokenOk = !!m && typeof ctx.query.token === 'string' && o.tokens.verify(ctx.query.token, decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    const isPublic = tokenOk || isPublicRequest(ctx.method, ctx.path, body);
    if (isPublic && !key) {
      const anon = await authenticate(o.db, undefined, { ...o.auth, requireAuth: false });
      if (anon.ok) ctx.state.caller = anon.caller;
      return next();
    }
    const r = await authenticate(o.db, key, o.auth, o.keyCache);
    if (r.ok) {
      ctx.state.caller = r.caller;
      return next();
    }
    o.log.warn(
      { reason: r.status === 401 ? 'missing_key' : 'invalid_key', method: ctx.method, path: ctx.path, ip: ctx.ip, ua: ctx.get('user-agent') },
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
