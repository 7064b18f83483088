import { ADMIN_OWNER, anonymousCaller, type Caller } from './caller.ts';
import { safeEqual } from './apiKeys.ts';

/**
 * How the gateway tells an internal service who is calling (distributed mode). The internal service trusts
 * these headers only when `x-planexe-internal` carries PLANEXE_INTERNAL_SECRET; the gateway overwrites all three
 * on every request it forwards, so a client cannot smuggle them through.
 */
export const INTERNAL_SECRET_HEADER = 'x-planexe-internal';
/** JSON `{"kind","owner","userId","apiKeyId"}` of the authenticated caller. */
export const CALLER_HEADER = 'x-planexe-caller';
/** The client address the gateway saw (after its trusted-proxy rule): rate limits and SSE caps key on it. */
export const CLIENT_IP_HEADER = 'x-planexe-client-ip';

/** Whether a request's internal-secret header matches (constant time; an unset secret matches nothing). */
export function internalSecretMatches(given: string | string[] | undefined, secret: string | undefined): boolean {
  const v = Array.isArray(given) ? given[0] : given;
  if (!secret || typeof v !== 'string' || !v) return false;
  return safeEqual(v, secret);
}

export function encodeCaller(c: Caller): string {
  return JSON.stringify({ kind: c.kind, owner: c.owner, userId: c.userId, apiKeyId: c.apiKeyId });
}

const KINDS = new Set(['user', 'shared', 'anonymous']);
const idOrNull = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);

/**
 * The caller of a forwarded request; anonymous when the header is absent. A malformed header yields null (the
 * service refuses the request rather than guess an identity).
 */
export function decodeCaller(header: string | string[] | undefined): Caller | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === '') return anonymousCaller();
  let v: any;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || !KINDS.has(v.kind)) return null;
  const userId = idOrNull(v.userId);
  const apiKeyId = idOrNull(v.apiKeyId);
  if (v.kind === 'user') {
    if (!userId || idOrNull(v.owner) !== userId) return null;
    return { kind: 'user', owner: userId, userId, apiKeyId, user: null };
  }
  // shared secret and anonymous callers carry no identity and own nothing but the admin plans
  return { kind: v.kind, owner: ADMIN_OWNER, userId: null, apiKeyId: null, user: null };
}
