import type { Db, UserAccount } from '@planexe/db';
import { findActiveKeyByHash } from '@planexe/db';
import { hashApiKey, safeEqual } from './apiKeys.ts';
import type { FailedAuthThrottle } from './authThrottle.ts';

/** Plans created without a user identity belong to this owner (as upstream). */
export const ADMIN_OWNER = 'admin';

export interface Caller {
  /** user = a valid pex_ key; shared = PLANEXE_MCP_API_KEY; anonymous = no key while auth is off. */
  kind: 'user' | 'shared' | 'anonymous';
  /** Owner id for plan scoping: the user's UUID, or `admin`. */
  owner: string;
  userId: string | null;
  apiKeyId: string | null;
  user: UserAccount | null;
}

export const anonymousCaller = (): Caller => ({ kind: 'anonymous', owner: ADMIN_OWNER, userId: null, apiKeyId: null, user: null });
export const sharedCaller = (): Caller => ({ kind: 'shared', owner: ADMIN_OWNER, userId: null, apiKeyId: null, user: null });

export interface AuthSettings {
  requireAuth: boolean;
  sharedKey?: string;
  apiKeySecret?: string;
}

export type AuthOutcome =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401 | 403; detail: string }
  | { ok: false; status: 429; detail: string; retryAfterSeconds: number };

/** Failed-auth throttling of one request: its client address and the throttle. */
export interface AuthThrottling {
  address: string;
  throttle: FailedAuthThrottle;
}

export const AUTH_THROTTLED = 'Too many failed authentication attempts from this address; try again later';

export const MISSING_KEY = 'Missing API key. Create an API key at https://home.planexe.org/';
export const INVALID_KEY = 'Invalid API key. Verify your key or create an account at https://home.planexe.org/';
export const INVALID_KEY_LOCAL =
  'Invalid API key. Remove the X-API-Key header for local access, or get a valid key at https://home.planexe.org/';

/**
 * Short-lived cache of valid keys: revocation takes effect within `ttlMs` on every replica (each replica's entry
 * expires, then the database is asked again). Wrong keys are never cached, so a flood of them cannot push the valid
 * ones out (the failed-auth throttle is what keeps that flood off the database); when full, the oldest entry goes.
 */
export class KeyCache {
  private entries = new Map<string, { at: number; value: { user: UserAccount; apiKeyId: string } }>();
  constructor(private ttlMs = 5_000, private max = 10_000) {}
  get(hash: string) {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) {
      this.entries.delete(hash);
      return undefined;
    }
    return e;
  }
  set(hash: string, value: { user: UserAccount; apiKeyId: string }) {
    this.entries.delete(hash);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { at: Date.now(), value });
  }
  get size(): number {
    return this.entries.size;
  }
}

/** Resolves a user key (pex_…) to its caller, or null. */
export function resolveUserKey(db: Db, rawKey: string, secret: string | undefined, cache?: KeyCache): Promise<Caller | null> {
  return resolveKeyHash(db, hashApiKey(rawKey.trim(), secret), cache);
}

/** resolveUserKey for a key already hashed (the request path hashes each key once). */
async function resolveKeyHash(db: Db, hash: string, cache?: KeyCache): Promise<Caller | null> {
  const cached = cache?.get(hash);
  let found: { user: UserAccount; apiKeyId: string } | null;
  if (cached) found = cached.value;
  else {
    const r = await findActiveKeyByHash(db, hash);
    found = r ? { user: r.user, apiKeyId: r.key.id } : null;
    if (found) cache?.set(hash, found);
  }
  if (!found) return null;
  return { kind: 'user', owner: found.user.id, userId: found.user.id, apiKeyId: found.apiKeyId, user: found.user };
}

/** The validation table of spec/http.md §3.4, with failed attempts throttled per address when `throttling` is given. */
export async function authenticate(db: Db, key: string | undefined, s: AuthSettings, cache?: KeyCache, throttling?: AuthThrottling): Promise<AuthOutcome> {
  if (!key) return s.requireAuth ? { ok: false, status: 401, detail: MISSING_KEY } : { ok: true, caller: anonymousCaller() };
  if (s.requireAuth && s.sharedKey && safeEqual(key, s.sharedKey)) return { ok: true, caller: sharedCaller() };
  // one HMAC per request: the throttle and the key lookup share it
  const hash = hashApiKey(key.trim(), s.apiKeySecret);
  if (throttling && !cache?.get(hash)) {
    const gate = await throttling.throttle.admit(throttling.address, hash);
    if (!gate.ok) return { ok: false, status: 429, detail: AUTH_THROTTLED, retryAfterSeconds: gate.retryAfterSeconds };
  }
  const user = await resolveKeyHash(db, hash, cache);
  if (user) return { ok: true, caller: user };
  await throttling?.throttle.failed(throttling.address);
  return { ok: false, status: 403, detail: s.requireAuth ? INVALID_KEY : INVALID_KEY_LOCAL };
}
