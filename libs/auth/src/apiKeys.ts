import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIXES = ['x-api-key:', 'api-key:', 'api_key:', 'authorization:'];

/** Normalises one candidate key value as spec/http.md §3.3 describes; empty → undefined. */
export function normaliseApiKey(raw: string | null | undefined): string | undefined {
  if (raw == null) return undefined;
  let v = raw.trim();
  if (!v) return undefined;
  const lower = v.toLowerCase();
  const p = PREFIXES.find((x) => lower.startsWith(x));
  if (p) v = v.slice(p.length).trim();
  const l2 = v.toLowerCase();
  if (l2.startsWith('bearer ')) v = v.slice(7);
  else if (l2.startsWith('token ')) v = v.slice(6);
  else if (v.includes(' ')) v = v.slice(v.lastIndexOf(' ') + 1);
  v = v.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
  v = v.trim();
  return v || undefined;
}

const HEADER_NAMES = ['x-api-key', 'api-key', 'api_key', 'x_api_key'];
const QUERY_NAMES = ['X-API-Key', 'api_key', 'api-key'];

/** First non-empty key of: Authorization, the X-API-Key family of headers, then query parameters. */
export function extractApiKey(
  headers: Record<string, string | string[] | undefined>,
  query: Record<string, unknown> = {},
): string | undefined {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  for (const cand of [h('authorization'), ...HEADER_NAMES.map(h)]) {
    const k = normaliseApiKey(cand);
    if (k) return k;
  }
  for (const name of QUERY_NAMES) {
    const v = query[name];
    const k = normaliseApiKey(Array.isArray(v) ? v[0] : typeof v === 'string' ? v : undefined);
    if (k) return k;
  }
  return undefined;
}

export const DEV_API_KEY_SECRET = 'dev-api-key-secret';

/** sha256_hex("<secret>:<key>") — must match the web frontend's hashing. */
export function hashApiKey(rawKey: string, secret: string | undefined): string {
  return createHash('sha256').update(`${secret || DEV_API_KEY_SECRET}:${rawKey}`, 'utf8').digest('hex');
}

/** A new user key: `pex_` + 32 URL-safe base64 characters (24 random bytes); prefix = first 10 characters. */
export function generateApiKey(): { key: string; prefix: string } {
  const key = 'pex_' + randomBytes(24).toString('base64url');
  return { key, prefix: key.slice(0, 10) };
}

/** Constant-time string equality (no early exit on length either: both sides are hashed first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** A key as it may appear in logs: prefix only. */
export function redactKey(key: string | undefined): string | undefined {
  return key ? `${key.slice(0, 8)}…` : undefined;
}
