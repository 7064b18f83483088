import type { Context, Next } from 'koa';
import { CALLER_HEADER, CLIENT_IP_HEADER, INTERNAL_SECRET_HEADER, decodeCaller, internalSecretMatches } from '@planexe/auth';
import { sendError } from './errors.ts';

export interface TrustGatewayOptions {
  /** PLANEXE_INTERNAL_SECRET. Required: an internal service without it would trust anyone. */
  secret: string;
  /** Paths answered without the secret (e.g. the service's own /healthcheck for probes). */
  openPaths?: string[];
}

/**
 * For internal services behind the gateway (distributed mode): refuses every request that does not carry the
 * internal secret, so going around the gateway goes around nothing; for those that do, trusts the forwarded
 * caller (ctx.state.caller) and client address (ctx.state.clientIp).
 */
export function trustGateway(o: TrustGatewayOptions) {
  if (!o.secret) throw new Error('trustGateway: an internal secret is required (PLANEXE_INTERNAL_SECRET)');
  const open = new Set(o.openPaths ?? []);
  return async (ctx: Context, next: Next) => {
    if (open.has(ctx.path)) return next();
    if (!internalSecretMatches(ctx.headers[INTERNAL_SECRET_HEADER], o.secret)) {
      return sendError(ctx, 403, 'FORBIDDEN', 'Internal endpoint: requests must come through the gateway');
    }
    const caller = decodeCaller(ctx.headers[CALLER_HEADER]);
    if (!caller) return sendError(ctx, 400, 'BAD_REQUEST', 'Malformed caller header');
    ctx.state.caller = caller;
    const ip = ctx.get(CLIENT_IP_HEADER);
    ctx.state.clientIp = ip || ctx.ip;
    return next();
  };
}

/** The client address of a request: the gateway's forwarded value behind trustGateway, else the socket peer. */
export function clientIpOf(ctx: Context): string {
  return (ctx.state as { clientIp?: string }).clientIp ?? ctx.ip ?? 'unknown';
}
