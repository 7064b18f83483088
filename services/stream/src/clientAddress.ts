import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Headers the gateway sets on every request it forwards (the same names as @planexe/auth's gateway headers). */
const INTERNAL_SECRET_HEADER = 'x-planexe-internal';
const CLIENT_IP_HEADER = 'x-planexe-client-ip';

/** The client address the per-client cap counts by; `state` is Koa's ctx.state when mounted as middleware. */
export type ClientAddressOf = (req: IncomingMessage, state?: { clientIp?: string }) => string;

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** The socket peer (spec/sse.md §5), or the address an edge middleware in front already resolved (`ctx.state.clientIp`). */
export const peerAddress: ClientAddressOf = (req, state) => state?.clientIp ?? req.socket.remoteAddress ?? 'unknown';

/**
 * For the stream service behind the gateway: the client address the gateway forwards (`x-planexe-client-ip`), but
 * only on a request that carries the internal secret (`x-planexe-internal`); anyone else counts by socket peer,
 * so nobody can pick the address their streams count against.
 */
export function clientAddressResolver(internalSecret?: string): ClientAddressOf {
  return (req, state) => {
    if (!internalSecret) return peerAddress(req, state);
    const proof = header(req, INTERNAL_SECRET_HEADER);
    if (!proof || !sameSecret(proof, internalSecret)) return peerAddress(req, state);
    return header(req, CLIENT_IP_HEADER).trim() || peerAddress(req, state);
  };
}
