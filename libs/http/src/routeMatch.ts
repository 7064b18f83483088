import type { Context, Next } from 'koa';
import { matchRoute, type RouteMatch, type RouteSpec } from '@planexe/contracts';
import { sendError } from './errors.ts';

/** The request's match against the route table, computed once per request and kept on ctx.state. */
export function routeOf(ctx: Context): RouteMatch {
  const state = ctx.state as { routeMatch?: RouteMatch };
  return (state.routeMatch ??= matchRoute(ctx.method, ctx.path));
}

/** The matched route and its decoded parameters, or undefined (no route, wrong method, OPTIONS). */
export function matchedRoute(ctx: Context): { route: RouteSpec; params: Record<string, string> } | undefined {
  const m = routeOf(ctx);
  return m.kind === 'route' ? m : undefined;
}

/** 404 for a path no route has, 405 with `Allow` for a method the path does not take. */
export function refuseUnrouted(ctx: Context, m: RouteMatch): void {
  if (m.kind === 'none') return sendError(ctx, 404, 'NOT_FOUND', 'Not Found');
  if (m.kind === 'route') return;
  ctx.set('Allow', m.allow);
  if (m.kind === 'options') {
    ctx.status = 200;
    ctx.body = '';
    return;
  }
  sendError(ctx, 405, 'BAD_REQUEST', 'Method Not Allowed');
}

/**
 * For a service's own app (distributed mode): only routes that `owner` answers go on; anything else is answered
 * here, exactly as the edge would (404, 405 + Allow), so the service never serves a spelling the edge did not vet.
 */
export function ownRoutesOnly(owner: RouteSpec['owner']) {
  return async (ctx: Context, next: Next) => {
    const m = routeOf(ctx);
    if (m.kind === 'route' && m.route.owner !== owner) return sendError(ctx, 404, 'NOT_FOUND', 'Not Found');
    if (m.kind !== 'route') return refuseUnrouted(ctx, m);
    return next();
  };
}
