/** What a request path under /download is. */
export type DownloadPath =
  | { kind: 'route'; planId: string; file: string }
  /** A traversal or smuggling attempt: refused before anything is looked up. */
  | { kind: 'refused' }
  /** Not this route (e.g. /downloads, /download/x): the next middleware answers (404). */
  | { kind: 'other' };

/** Encodings of `/`, `\` and NUL, and raw backslashes and control characters: never part of a plan id or file name. */
const SMUGGLED = /%2f|%5c|%00|\\/i;
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Parses `/download/<plan_id>/<filename>` from the raw (still percent-encoded) path. Dot segments — literal or
 * encoded (`..`, `%2e%2e`) — and encoded separators, backslashes and NUL anywhere under /download are refused, so
 * no form of `../` reaches a lookup, whatever a later layer would do with it.
 */
export function parseDownloadPath(rawPath: string): DownloadPath {
  if (!rawPath.startsWith('/download/')) return { kind: 'other' };
  const rest = rawPath.slice('/download/'.length);
  if (SMUGGLED.test(rest) || hasControl(rest)) return { kind: 'refused' };
  const raw = rest.split('/');
  let segs: string[];
  try {
    segs = raw.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'refused' };
  }
  if (segs.some((s) => s === '.' || s.includes('..') || hasControl(s))) return { kind: 'refused' };
  if (segs.length !== 2 || !segs[0] || !segs[1]) return { kind: 'other' };
  return { kind: 'route', planId: segs[0], file: segs[1] };
}
