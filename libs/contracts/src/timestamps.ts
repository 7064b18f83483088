/** Z-timestamp: ISO-8601 UTC, whole seconds, literal Z (spec README). */
export function zTimestamp(d: Date | null | undefined): string | null {
  if (!d) return null;
  // toISOString is always YYYY-MM-DDTHH:MM:SS.sssZ for the years a plan can have (0000-9999): cut, not a regex
  const iso = d.toISOString();
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** ISO-8601 with milliseconds when non-zero and a `Z` suffix (send_feedback.received_at). */
export function isoMicrosZ(d: Date): string {
  const ms = d.getUTCMilliseconds();
  const base = d.toISOString().slice(0, 19);
  return ms ? `${base}.${String(ms * 1000).padStart(6, '0')}Z` : `${base}Z`;
}

/** ISO-8601 with fractional seconds when non-zero and a `+00:00` offset (plan_file_info.expires_at). */
export function isoMicrosOffset(d: Date): string {
  return isoMicrosZ(d).replace(/Z$/, '+00:00');
}
