import type { Context, Next } from 'koa';

export const DEFAULT_AUTH_ORIGINS = ['https://mcp.planexe.org', 'https://home.planexe.org'];
// DELETE: a 2025-era MCP client ends its session with it
const ALLOW_METHODS = 'GET, HEAD, POST, DELETE, OPTIONS';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']);
// Request headers: a preflight's Access-Control-Request-Headers is echoed (spec/http.md §4), so the MCP headers a
// browser client lists (Mcp-Session-Id, and 2026-07-28's MCP-Protocol-Version, Mcp-Method, Mcp-Name) are allowed.
/**
 * Headers a browser client may read besides the safelisted ones: rate-limit feedback, the session id a 2025-era
 * client must send back, and the protocol version the server answered with.
 */
export const EXPOSE_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, Mcp-Session-Id, MCP-Protocol-Version';

const unquote = (s: string) => (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s);

/**
 * PLANEXE_MCP_CORS_ORIGINS (spec/http.md §4): blank → the planexe.org origins when auth is required, else `*`;
 * a JSON array when the value looks like one and parses as a list, else comma-separated; quotes tolerated.
 */
export function parseCorsOrigins(raw: string | undefined, requireAuth: boolean): string[] {
  const v = (raw ?? '').trim();
  if (!v) return requireAuth ? [...DEFAULT_AUTH_ORIGINS] : ['*'];
  let items: unknown[] | undefined;
  if (v.startsWith('[') && v.endsWith(']')) {
    try {
      const parsed = JSON.parse(v);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      // not JSON after all: read it as a comma list
    }
  }
  return (items ?? v.split(','))
    .map((i) => unquote(String(i).trim()).trim())
    .filter((i) => i.length > 0);
}

export interface CorsPolicy {
  /** The Access-Control-Allow-Origin value for a request origin, or undefined when it is not allowed. */
  allow(origin: string): string | undefined;
  wildcard: boolean;
}

export function corsPolicy(origins: string[]): CorsPolicy {
  const wildcard = origins.includes('*');
  const set = new Set(origins);
  return { wildcard, allow: (origin) => (wildcard ? '*' : set.has(origin) ? origin : undefined) };
}

function addVaryOrigin(ctx: Context): void {
  const vary = ctx.response.get('Vary');
  if (!vary) ctx.set('Vary', 'Origin');
  else if (!vary.split(',').some((v) => v.trim().toLowerCase() === 'origin')) ctx.set('Vary', `${vary}, Origin`);
}

/**
 * Decorates every response that passed the edge, early 401/403/411/413/429 refusals included, for an allowed
 * Origin; a disallowed origin gets no CORS header at all. Runs outside auth, so it sees those refusals. Headers go
 * on before the handler (so handlers that write the response themselves, like the idle MCP GET stream, carry them)
 * and are checked again after it, each added only where absent.
 */
export function corsDecoration(policy: CorsPolicy) {
  const decorate = (ctx: Context, value: string) => {
    if (ctx.headerSent) return;
    const r = ctx.response;
    if (!r.get('Access-Control-Allow-Origin')) ctx.set('Access-Control-Allow-Origin', value);
    if (!r.get('Access-Control-Allow-Methods')) ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
    if (!r.get('Access-Control-Allow-Headers')) ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || '*');
    if (!r.get('Access-Control-Expose-Headers') && ctx.method !== 'OPTIONS') ctx.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (value !== '*') addVaryOrigin(ctx);
  };
  return async (ctx: Context, next: Next) => {
    const origin = ctx.get('origin');
    const value = origin ? policy.allow(origin) : undefined;
    if (!value) return next();
    decorate(ctx, value);
    try {
      await next();
    } finally {
      decorate(ctx, value);
    }
  };
}

/**
 * The standard CORS layer's preflight answer (OPTIONS + Origin + Access-Control-Request-Method): 200 `OK` when
 * the origin and method are allowed, else 400 `Disallowed CORS origin|method` (Starlette's wording).
 */
export function corsPreflight(policy: CorsPolicy) {
  return async (ctx: Context, next: Next) => {
    const origin = ctx.get('origin');
    const method = ctx.get('access-control-request-method');
    if (ctx.method !== 'OPTIONS' || !origin || !method) return next();
    const value = policy.allow(origin);
    const failures: string[] = [];
    if (!value) failures.push('origin');
    if (!METHODS.has(method.toUpperCase())) failures.push('method');
    ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
    ctx.set('Access-Control-Max-Age', '600');
    const requested = ctx.get('access-control-request-headers');
    ctx.set('Access-Control-Allow-Headers', requested || '*');
    if (value) ctx.set('Access-Control-Allow-Origin', value);
    if (!policy.wildcard) addVaryOrigin(ctx);
    ctx.type = 'text/plain; charset=utf-8';
    if (failures.length) {
      ctx.status = 400;
      ctx.body = `Disallowed CORS ${failures.join(', ')}`;
      return;
    }
    ctx.status = 200;
    ctx.body = 'OK';
  };
}
