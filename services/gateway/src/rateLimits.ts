import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { extractApiKey } from '@planexe/auth';
import type { Limits } from '@planexe/infra';
import { sendError } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';

export interface Budget {
  /** Points per window; <= 0 disables the limiter. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitOptions {
  limits: Limits;
  /** /mcp/, /mcp/tools/call, any method (spec/http.md §5.2). */
  main: Budget & { planCreateCost: number };
  /** /download… (spec/http.md §5.3). */
  download: Budget;
  log: Logger;
  /** True while the limiter answers from memory (Redis unreachable): logged once per change. */
  degraded?: () => boolean;
}

/** What a request costs: plan_create starts minutes of LLM work, so it takes more of the budget than a poll. */
export function requestCost(ctx: Context, planCreateCost: number): number {
  const body = (ctx.state as { jsonBody?: { ok: boolean; value?: unknown } }).jsonBody;
  if (ctx.method !== 'POST' || !body?.ok) return 1;
  const v: any = body.value;
  if (ctx.path === '/mcp/tools/call') return v?.tool === 'plan_create' ? planCreateCost : 1;
  const msgs = Array.isArray(v) ? v : [v];
  return msgs.some((m) => m?.method === 'tools/call' && m?.params?.name === 'plan_create') ? planCreateCost : 1;
}

/** `key:<digest of the presented key>` (the raw key never reaches Redis), else `ip:<client address>`. */
export function rateKey(ctx: Context): string {
  const state = ctx.state as { apiKey?: string };
  const key = 'apiKey' in state ? state.apiKey : extractApiKey(ctx.headers, ctx.query); // edgeAuth already extracted it
  if (key) return `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  return `ip:${ctx.ip || 'unknown'}`;
}

const isMainPath = (p: string) => p === '/mcp/' || p === '/mcp/tools/call';

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
    const isDownload = ctx.path.startsWith('/download');
    const budget = isDownload ? o.download : isMainPath(ctx.path) ? o.main : undefined;
    if (!budget || budget.limit <= 0) return next();
    const points = isDownload ? 1 : Math.min(requestCost(ctx, o.main.planCreateCost), budget.limit);
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
      return sendError(ctx, 429, 'RATE_LIMITED', detail);
    }
    return next();
  };
}
