import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type ArtifactFile = 'report.html' | 'run.zip';

/** A named signing key of the keyring (PLANEXE_DOWNLOAD_TOKEN_KEYS). */
export interface DownloadKey {
  kid: string;
  secret: string;
}

/** Key id under which the spec's single secret appears in logs and in a keyring (`default`, no secret given). */
export const DEFAULT_KID = 'default';

export type TokenRefusal = 'malformed' | 'expired' | 'beyond_cap' | 'unknown_key' | 'bad_signature';

export type TokenCheck =
  | { ok: true; kid: string; expiry: number }
  | { ok: false; reason: TokenRefusal; kid?: string; expiry?: number };

/** What a refusal tells the client (the reason is not a secret: the expiry and key id are in the token itself). */
export const TOKEN_REFUSAL_MESSAGES: Record<TokenRefusal, string> = {
  malformed: 'Malformed download token',
  expired: 'Download token has expired: call plan_file_info for a fresh download_url',
  beyond_cap: 'Download token expiry is beyond the allowed token lifetime',
  unknown_key: 'Download token was signed with an unknown key',
  bad_signature: 'Download token is not valid for this plan and file',
};

export interface DownloadTokenOptions {
  /**
   * Named keys, as `kid:secret,kid:secret` text or a list. The first entry signs; every entry verifies tokens that
   * name it. The entry `default` (no secret) stands for the spec's secret and keeps `<expiry>.<mac>` tokens valid;
   * without a keyring the spec's secret signs and verifies alone.
   */
  keyring?: string | (DownloadKey | typeof DEFAULT_KID)[];
  /** Largest accepted distance from now to a token's expiry; default TTL + 60 s (clock skew, TTL changes). */
  maxLifetimeSeconds?: number;
}

const KID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const MAC_RE = /^[0-9a-f]{64}$/;
const EXPIRY_RE = /^\d{1,12}$/;

/** Parses `kid:secret,default,kid2:secret2`. Throws with a message naming the bad entry (never the secret). */
export function parseDownloadKeyring(text: string): (DownloadKey | typeof DEFAULT_KID)[] {
  const out: (DownloadKey | typeof DEFAULT_KID)[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry === DEFAULT_KID) {
      out.push(DEFAULT_KID);
      continue;
    }
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon).trim() : '';
    const secret = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!KID_RE.test(kid) || kid === DEFAULT_KID) throw new Error(`download token keyring: entry ${out.length + 1} needs a key id matching ${KID_RE} (other than "default") followed by ":secret"`);
    if (secret.length < 16) throw new Error(`download token keyring: the secret of key "${kid}" must be at least 16 characters`);
    out.push({ kid, secret });
  }
  return out;
}

/**
 * Signed, stateless, artifact-scoped download tokens (spec/artifacts.md §1).
 *
 * Spec form `<expiry>.<mac>`: HMAC-SHA256 (lower-case hex) over `<plan_id>:<filename>:<expiry>` keyed with the first
 * non-empty secret of the fallback list (PLANEXE_DOWNLOAD_TOKEN_SECRET, then PLANEXE_API_KEY_SECRET, else a random
 * per-process secret).
 * Rotation form `<expiry>.<kid>.<mac>`: HMAC over `<plan_id>:<filename>:<expiry>:<kid>` keyed with keyring key
 * `kid`. A token names its key, so verification computes exactly one MAC, and logs can say which key a token used.
 * Zero-downtime rotation: deploy `default,k1:new` (k1 verifies everywhere, default still signs), then
 * `k1:new,default` (k1 signs, old tokens verify), then `k1:new` once the old tokens have expired.
 */
export class DownloadTokens {
  readonly ephemeral: boolean;
  readonly maxLifetimeSeconds: number;
  private readonly defaultSecret: Buffer | null;
  private readonly named = new Map<string, Buffer>();
  private readonly signer: { kid: string; secret: Buffer };

  constructor(
    secrets: (string | undefined)[],
    readonly ttlSeconds: number,
    opts: DownloadTokenOptions = {},
  ) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error('download token TTL must be a positive integer');
    this.maxLifetimeSeconds = opts.maxLifetimeSeconds ?? ttlSeconds + 60;
    if (this.maxLifetimeSeconds < ttlSeconds) throw new Error('download token lifetime cap is below the TTL');
    const first = secrets.find((s): s is string => typeof s === 'string' && s.length > 0);
    this.ephemeral = first === undefined;
    const fallback = first !== undefined ? Buffer.from(first, 'utf8') : randomBytes(32);
    const ring = typeof opts.keyring === 'string' ? parseDownloadKeyring(opts.keyring) : (opts.keyring ?? []);
    if (ring.length === 0) {
      this.defaultSecret = fallback;
      this.signer = { kid: DEFAULT_KID, secret: fallback };
      return;
    }
    this.defaultSecret = ring.includes(DEFAULT_KID) ? fallback : null;
    for (const k of ring) {
      if (k === DEFAULT_KID) continue;
      if (this.named.has(k.kid)) throw new Error(`download token keyring: key id "${k.kid}" appears twice`);
      this.named.set(k.kid, Buffer.from(k.secret, 'utf8'));
    }
    const head = ring[0];
    this.signer = head === DEFAULT_KID ? { kid: DEFAULT_KID, secret: fallback } : { kid: head.kid, secret: this.named.get(head.kid)! };
  }

  /** Key ids this instance accepts, signer first (for start-up logs). */
  get keyIds(): { signing: string; accepted: string[] } {
    return { signing: this.signer.kid, accepted: [...(this.defaultSecret ? [DEFAULT_KID] : []), ...this.named.keys()] };
  }

  private mac(secret: Buffer, planId: string, file: string, expiry: number, kid: string): string {
    const msg = kid === DEFAULT_KID ? `${planId}:${file}:${expiry}` : `${planId}:${file}:${expiry}:${kid}`;
    return createHmac('sha256', secret).update(msg, 'utf8').digest('hex');
  }

  sign(planId: string, file: ArtifactFile, nowMs = Date.now()): { token: string; expiresAt: Date; expiry: number; kid: string } {
    const expiry = Math.floor(nowMs / 1000) + this.ttlSeconds;
    const { kid, secret } = this.signer;
    const mac = this.mac(secret, planId, file, expiry, kid);
    const token = kid === DEFAULT_KID ? `${expiry}.${mac}` : `${expiry}.${kid}.${mac}`;
    return { token, expiresAt: new Date(nowMs + this.ttlSeconds * 1000), expiry, kid };
  }

  /** Why a token is or is not valid for exactly this plan id (as in the URL) and file name. */
  check(token: string | undefined | null, planId: string, file: string, nowMs = Date.now()): TokenCheck {
    if (typeof token !== 'string' || token.length > 200) return { ok: false, reason: 'malformed' };
    const parts = token.split('.');
    if (parts.length !== 2 && parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [expText, ...rest] = parts;
    const mac = rest[rest.length - 1];
    const kid = rest.length === 2 ? rest[0] : DEFAULT_KID;
    if (!EXPIRY_RE.test(expText) || !MAC_RE.test(mac) || (rest.length === 2 && (!KID_RE.test(kid) || kid === DEFAULT_KID))) {
      return { ok: false, reason: 'malformed' };
    }
    const expiry = Number(expText);
    // the spec's comparison: a fractional clock against the integer expiry
    if (nowMs / 1000 > expiry) return { ok: false, reason: 'expired', kid, expiry };
    if (expiry - nowMs / 1000 > this.maxLifetimeSeconds) return { ok: false, reason: 'beyond_cap', kid, expiry };
    const secret = kid === DEFAULT_KID ? this.defaultSecret : this.named.get(kid);
    if (!secret) return { ok: false, reason: 'unknown_key', kid, expiry };
    const want = Buffer.from(this.mac(secret, planId, file, expiry, kid), 'latin1');
    const given = Buffer.from(mac, 'latin1');
    if (!timingSafeEqual(want, given)) return { ok: false, reason: 'bad_signature', kid, expiry };
    return { ok: true, kid, expiry };
  }

  verify(token: string | undefined | null, planId: string, file: string, nowMs = Date.now()): boolean {
    return this.check(token, planId, file, nowMs).ok;
  }
}
