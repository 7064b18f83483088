import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/** Headers the gateway sets on every request it forwards (the same names as @planexe/auth's gateway headers). */
const INTERNAL_SECRET_HEADER = 'x-planexe-internal';
const CLIENT_IP_HEADER = 'x-planexe-client-ip';

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The socket peer (spec/sse.md §5), or the address an edge middleware in front already resolved (`ctx.state.clientIp`). */
export function peerAddress(ctx: Context): string {
  return (ctx.state as { clientIp?: string }).clientIp ?? ctx.req.socket.remoteAddress ?? 'unknown';
}

/**
 * For the stream service behind the gateway: the client address the gateway forwards (`x-planexe-client-ip`), but
 * only on a request that carries the internal secret (`x-planexe-internal`); anyone else counts by socket peer,
 * so nobody can pick the address their streams count against.
 */
export function clientAddressResolver(internalSecret?: string): (ctx: Context) => string {
  return (ctx) => {
    if (!internalSecret) return peerAddress(ctx);
    const proof = ctx.get(INTERNAL_SECRET_HEADER);
    if (!proof || !sameSecret(proof, internalSecret)) return peerAddress(ctx);
    return ctx.get(CLIENT_IP_HEADER).trim() || peerAddress(ctx);
  };
}
