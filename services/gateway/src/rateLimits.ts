import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { extractApiKey } from '@planexe/auth';
import type { Limits } from '@planexe/infra';
import { isFreeRpcMessage, type RouteSpec } from '@planexe/contracts';
import { matchedRoute, readJsonBody, sendError, BodyTooLargeError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';

export interface Budget {
  /** Points per window; <= 0 disables the limiter. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitOptions {
  limits: Limits;
  /** Routes with the tool-call budget (spec/http.md §5.2; handshakes and listings are free). */
  main: Budget & { planCreateCost: number };
  /** Routes with the download budget (spec/http.md §5.3). */
  download: Budget;
  log: Logger;
  /** True while the limiter answers from memory (Redis unreachable): logged once per change. */
  degraded?: () => boolean;
  /** The body-size limit: a refused JSON-RPC request whose body the edge has not read yet is read up to it for its id. */
  maxBodyBytes: number;
}

/** The JSON-RPC error code of a rate-limit refusal on /mcp (spec/http.md §5.2): implementation-defined range, "429". */
export const RATE_LIMITED_RPC_CODE = -32029;

/** The id of the (first) JSON-RPC request in a body, null when it has none (a notification) or is not JSON-RPC. */
function rpcIdOf(body: unknown): unknown {
  const first = Array.isArray(body) ? body[0] : body;
  return first && typeof first === 'object' && 'id' in first ? ((first as { id: unknown }).id ?? null) : null;
}

/**
 * What a request costs of its route's budget. The tool-call budget is spent by tool calls only: the MCP handshake,
 * notifications, ping, the listings and a client's answers to a call's requests are free (a batch only when every
 * member is), HEAD and GET cost nothing, and
 * plan_create, which starts minutes of LLM work, takes more than a poll.
 */
export function requestCost(ctx: Context, route: RouteSpec, planCreateCost: number): number {
  if (route.rate === 'download') return 1;
  // classified from its MCP headers at the edge (edgeRpc.ts), the body unparsed
  const fromHeaders = (ctx.state as { mcpHeaderCost?: number }).mcpHeaderCost;
  if (fromHeaders !== undefined) return fromHeaders;
  if (ctx.method !== 'POST') return ctx.method === 'HEAD' || ctx.method === 'GET' ? 0 : 1;
  const body = (ctx.state as { jsonBody?: { ok: boolean; value?: unknown } }).jsonBody;
  if (!body?.ok) return 1;
  const v: any = body.value;
  if (route.id === 'mcp_tools_call') return v?.tool === 'plan_create' ? planCreateCost : 1;
  const msgs: any[] = Array.isArray(v) ? v : [v];
  // free: the handshake, notifications, ping, the listings, and a client's answers (spec/http.md §5.2, §6.1)
  if (msgs.length && msgs.every(isFreeRpcMessage)) return 0;
  return msgs.some((m) => m?.method === 'tools/call' && m?.params?.name === 'plan_create') ? planCreateCost : 1;
}

/** Digests of recently seen keys: a client sends the same key on every request, so it is hashed once, not per request. */
const digests = new Map<string, string>();
const MAX_DIGESTS = 10_000;

function keyDigest(key: string): string {
  let d = digests.get(key);
  if (d === undefined) {
    d = `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    if (digests.size >= MAX_DIGESTS) digests.delete(digests.keys().next().value as string); // oldest first
    digests.set(key, d);
  }
  return d;
}

/** `key:<digest of the presented key>` (the raw key never reaches Redis), else `ip:<client address>`. */
export function rateKey(ctx: Context): string {
  const state = ctx.state as { apiKey?: string };
  const key = 'apiKey' in state ? state.apiKey : extractApiKey(ctx.headers, ctx.query); // edgeAuth already extracted it
  if (key) return keyDigest(key);
  return `ip:${ctx.ip || 'unknown'}`;
}

/**
 * Main and download rate limits through the Limits port (rate-limiter-flexible; Redis in distributed mode, so every
 * gateway replica draws from one budget). Answers carry RateLimit-Limit/-Remaining/-Reset; a refusal is 429 with
 * Retry-After and takes nothing from the budget.
 */
export function rateLimits(o: RateLimitOptions) {
  let wasDegraded = false;
  const noteDegraded = () => {
    const now = o.degraded?.() ?? false;
    if (now !== wasDegraded) {
      wasDegraded = now;
      if (now) o.log.warn('rate limits: Redis unreachable, counting in memory (budgets are per gateway until it is back)');
      else o.log.info('rate limits: Redis reachable again, budgets are shared');
    }
  };
  return async (ctx: Context, next: Next) => {
    const route = matchedRoute(ctx)?.route;
    if (!route || route.rate === 'none') return next();
    const isDownload = route.rate === 'download';
    const budget = isDownload ? o.download : o.main;
    if (budget.limit <= 0) return next();
    const points = Math.min(requestCost(ctx, route, o.main.planCreateCost), budget.limit);
    if (points <= 0) return next();
    const key = `${isDownload ? 'dl' : 'main'}:${rateKey(ctx)}`;
    let r;
    try {
      r = await o.limits.consume(key, points, budget.limit, budget.windowSeconds);
    } catch (err) {
      // a limiter failure must not take the service down with it: serve, and say so
      o.log.error({ err: (err as Error).message }, 'rate limiter failed; request served unlimited');
      return next();
    }
    noteDegraded();
    const resetSeconds = Math.max(1, Math.ceil(r.resetMs / 1000));
    ctx.set('RateLimit-Limit', String(budget.limit));
    ctx.set('RateLimit-Remaining', String(Math.max(0, r.remaining)));
    ctx.set('RateLimit-Reset', String(resetSeconds));
    if (!r.allowed) {
      ctx.set('Retry-After', String(resetSeconds));
      const detail = isDownload ? 'Download rate limit exceeded' : 'Rate limit exceeded';
      if (route.jsonRpcRefusals) return refuseRpc(ctx, detail, resetSeconds, o.maxBodyBytes);
      return sendError(ctx, 429, 'RATE_LIMITED', detail);
    }
    return next();
  };
}

/**
 * A rate-limit refusal a JSON-RPC client can read: still HTTP 429 with Retry-After (what proxies and HTTP clients
 * act on), the body a JSON-RPC error answering the request's id. A body the edge skipped (classified from its MCP
 * headers) is read now, within the body-size limit, only to find that id; an unreadable one answers with id null.
 */
async function refuseRpc(ctx: Context, detail: string, retryAfterSeconds: number, maxBodyBytes: number): Promise<void> {
  let id: unknown = null;
  if (ctx.method === 'POST') {
    try {
      const body = await readJsonBody(ctx, maxBodyBytes);
      if (body.ok) id = rpcIdOf(body.value);
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
    }
  }
  ctx.status = 429;
  ctx.type = 'application/json';
  ctx.body = { jsonrpc: '2.0', error: { code: RATE_LIMITED_RPC_CODE, message: detail, data: { code: 'RATE_LIMITED', retry_after_seconds: retryAfterSeconds } }, id };
}
