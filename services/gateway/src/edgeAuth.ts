import type { Context, Next } from 'koa';
import {
  anonymousCaller,
  authenticate,
  extractApiKey,
  isPublicRequest,
  type AuthSettings,
  type DownloadTokens,
  type FailedAuthThrottle,
  type KeyCache,
} from '@planexe/auth';
import type { Db } from '@planexe/db';
import { matchedRoute, readJsonBody, refuseUnrouted, routeOf, sendError, BodyTooLargeError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';

function jsonRpcId(body: unknown): unknown {
  const first = Array.isArray(body) ? body[0] : body;
  return first && typeof first === 'object' && 'id' in first ? ((first as { id: unknown }).id ?? null) : null;
}

function rpcMethods(body: unknown): string[] | undefined {
  const msgs = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  const names = msgs.map((m: any) => (m?.method === 'tools/call' ? `tools/call:${m?.params?.name}` : m?.method)).filter((m) => typeof m === 'string');
  return names.length ? names.slice(0, 10).map((n) => n.slice(0, 100)) : undefined;
}

export interface EdgeAuthOptions {
  db: Db;
  auth: AuthSettings;
  keyCache: KeyCache;
  tokens: DownloadTokens;
  maxBodyBytes: number;
  log: Logger;
  /** Failed authentications throttled per client address (shared across replicas through the Limits port). */
  throttle?: FailedAuthThrottle;
}

/**
 * Decides who a request is (ctx.state.caller) from the matched route's auth class, and refuses what needs a key it
 * lacks (spec/http.md §3). A request that matches no route never gets here with a caller: it is answered 404/405
 * first. Bodies are read to decide publicness and kept for the handler (or the proxy) unchanged; a body declared
 * larger than the limit is not read (the request is then simply not public, and the body-size rule answers 413
 * after auth). Routes with JSON-RPC refusals answer HTTP 200 with a JSON-RPC error, so MCP clients do not start an
 * OAuth discovery (none is offered).
 */
export function edgeAuth(o: EdgeAuthOptions) {
  return async (ctx: Context, next: Next) => {
    const m = matchedRoute(ctx);
    if (!m) return refuseUnrouted(ctx, routeOf(ctx));
    const { route, params } = m;
    if (route.auth === 'open') {
      ctx.state.caller = undefined;
      return next();
    }
    const readBody = async (): Promise<unknown> => {
      if (route.body === 'none' || ctx.method !== 'POST' || Number(ctx.get('content-length')) > o.maxBodyBytes) return undefined;
      try {
        const b = await readJsonBody(ctx, o.maxBodyBytes);
        return b.ok ? b.value : undefined;
      } catch (e) {
        // a chunked body past the limit: not public; the body-size rule answers 413 once the key is checked
        if (!(e instanceof BodyTooLargeError)) throw e;
        return undefined;
      }
    };
    // classified from its MCP headers (edgeRpc.ts): not public without the body, which is only parsed on a refusal
    const headerClassified = (ctx.state as { mcpBodySkipped?: boolean }).mcpBodySkipped === true;
    let body: unknown = headerClassified ? undefined : await readBody();
    const key = extractApiKey(ctx.headers, ctx.query);
    ctx.state.apiKey = key; // the rate limiter keys on it (never logged, never forwarded)
    // a valid signed token for exactly this plan id and file replaces the key (spec/http.md §9 step 1)
    const token = ctx.query.token;
    if (route.auth === 'token-or-key' && typeof token === 'string' && o.tokens.verify(token, params.plan_id, params.filename)) {
      ctx.state.caller = anonymousCaller();
      return next();
    }
    // even an open request with a key has that key checked, so a client learns of a bad key at connect time
    if (!key && isPublicRequest(route, ctx.method, body)) {
      ctx.state.caller = anonymousCaller();
      return next();
    }
    const r = await authenticate(o.db, key, o.auth, o.keyCache, o.throttle && { address: ctx.ip || 'unknown', throttle: o.throttle });
    if (r.ok) {
      ctx.state.caller = r.caller;
      return next();
    }
    if (headerClassified) body = await readBody(); // the refusal carries the request's id
    o.log.warn(
      {
        reason: r.status === 401 ? 'missing_key' : r.status === 429 ? 'throttled' : 'invalid_key',
        method: ctx.method,
        path: ctx.path.slice(0, 300),
        route: route.id,
        ip: ctx.ip,
        ua: ctx.get('user-agent').slice(0, 200) || undefined,
        rpc: rpcMethods(body),
      },
      'request refused',
    );
    if (r.status === 429) ctx.set('Retry-After', String(r.retryAfterSeconds));
    if (route.jsonRpcRefusals) {
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = { jsonrpc: '2.0', error: { code: -32001, message: r.detail }, id: jsonRpcId(body) };
      return;
    }
    sendError(ctx, r.status, r.status === 401 ? 'UNAUTHORIZED' : r.status === 429 ? 'RATE_LIMITED' : 'FORBIDDEN', r.detail);
  };
}
