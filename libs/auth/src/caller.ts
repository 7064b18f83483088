import type { Db, UserAccount } from '@planexe/db';
import { findActiveKeyByHash } from '@planexe/db';
import { hashApiKey, safeEqual } from './apiKeys.ts';

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
  | { ok: false; status: 401 | 403; detail: string };

export const MISSING_KEY = 'Missing API key. Create an API key at https://home.planexe.org/';
export const INVALID_KEY = 'Invalid API key. Verify your key or create an account at https://home.planexe.org/';
export const INVALID_KEY_LOCAL =
  'Invalid API key. Remove the X-API-Key header for local access, or get a valid key at https://home.planexe.org/';

/** Short-lived cache of key lookups: revocation takes effect within `ttlMs`. */
export class KeyCache {
  private entries = new Map<string, { at: number; value: { user: UserAccount; apiKeyId: string } | null }>();
  constructor(private ttlMs = 5_000, private max = 10_000) {}
  get(hash: string) {
    const e = this.entries.get(hash);
    if (!e || Date.now() - e.at > this.ttlMs) return undefined;
    return e;
  }
  set(hash: string, value: { user: UserAccount; apiKeyId: string } | null) {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(hash, { at: Date.now(), value });
  }
}

/** Resolves a user key (pex_…) to its caller, or null. */
export async function resolveUserKey(db: Db, rawKey: string, secret: string | undefined, cache?: KeyCache): Promise<Caller | null> {
  const hash = hashApiKey(rawKey.trim(), secret);
  const cached = cache?.get(hash);
  let found: { user: UserAccount; apiKeyId: string } | null;
  if (cached) found = cached.value;
  else {
    const r = await findActiveKeyByHash(db, hash);
    found = r ? { user: r.user, apiKeyId: r.key.id } : null;
    cache?.set(hash, found);
  }
  if (!found) return null;
  return { kind: 'user', owner: found.user.id, userId: found.user.id, apiKeyId: found.apiKeyId, user: found.user };
}

/** The validation table of spec/http.md §3.4. */
export async function authenticate(db: Db, key: string | undefined, s: AuthSettings, cache?: KeyCache): Promise<AuthOutcome> {
  if (!key) return s.requireAuth ? { ok: false, status: 401, detail: MISSING_KEY } : { ok: true, caller: anonymousCaller() };
  if (s.requireAuth && s.sharedKey && safeEqual(key, s.sharedKey)) return { ok: true, caller: sharedCaller() };
  const user = await resolveUserKey(db, key, s.apiKeySecret, cache);
  if (user) return { ok: true, caller: user };
  return { ok: false, status: 403, detail: s.requireAuth ? INVALID_KEY : INVALID_KEY_LOCAL };
}
