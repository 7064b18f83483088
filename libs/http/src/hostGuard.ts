import { isIP } from 'node:net';
import type { Context, Next } from 'koa';

/** An address or name in any of its loopback spellings: `localhost`, 127.0.0.0/8, `::1` (also expanded or in brackets), `::ffff:127.x.y.z`. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.startsWith('::ffff:')) h = h.slice('::ffff:'.length);
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return /^(0{0,4}:){2,7}0{0,3}1$/.test(h) && h.replace(/[0:]/g, '') === '1';
  return false;
}

/** Whether hostGuard does anything for this bind host (it is a pass-through otherwise). */
export const hostGuardActive = (bindHost: string): boolean => isLoopbackHost(bindHost);

/** `host[:port]` split (bracketed IPv6 kept whole); undefined when malformed. */
function splitHostPort(value: string): { host: string; port?: string } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  return m ? { host: m[1], port: m[2] } : undefined;
}

/**
 * DNS-rebinding guard (spec/http.md §6.1): while the server is bound to a loopback address — in any of its spellings
 * — the Host header must name a loopback host with a port, and a present Origin must be a loopback http(s) origin.
 * Off for other binds. (A rebinding attack arrives with the attacker's name in Host, which is then refused here
 * before it can be reflected into a URL such as download_url.)
 */
export function hostGuard(bindHost: string) {
  if (!isLoopbackHost(bindHost)) return async (_ctx: Context, next: Next) => next();
  const hostOk = (h: string) => {
    const hp = splitHostPort(h);
    return !!hp && hp.port !== undefined && isLoopbackHost(hp.host);
  };
  const originOk = (o: string) => {
    const m = /^https?:\/\/(.+)$/i.exec(o);
    const hp = m ? splitHostPort(m[1]) : undefined;
    return !!hp && isLoopbackHost(hp.host);
  };
  return async (ctx: Context, next: Next) => {
    const host = ctx.get('host');
    if (!hostOk(host)) {
      ctx.status = 421;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Host header';
      return;
    }
    const origin = ctx.get('origin');
    if (origin && !originOk(origin)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Origin header';
      return;
    }
    await next();
  };
}
