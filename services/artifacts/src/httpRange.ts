export type RangeDecision = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `Range: bytes=…` against a representation of `size` bytes (RFC 9110 §14). `end` is exclusive. Several ranges
 * or an unparsable header are ignored (the whole body is sent, as the RFC allows); a range wholly past the end is
 * unsatisfiable (416).
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n)) return { kind: 'full' };
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Number.MAX_SAFE_INTEGER : Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(last) || last < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) + 1 };
}

const tags = (header: string) => header.split(',').map((t) => t.trim().replace(/^W\//, ''));

/** If-None-Match (weak comparison): `*` or any listed tag equal to ours. */
export function noneMatchHit(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || tags(header).includes(etag);
}

/** If-Range: a range applies only while the client's validator is still our (strong) ETag; dates are not ours. */
export function ifRangeHolds(header: string | undefined, etag: string): boolean {
  if (!header) return true;
  return header.trim() === etag;
}
