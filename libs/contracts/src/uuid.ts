const HEX32 = /^[0-9a-f]{32}$/;
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Canonical lower-case UUID for any spelling a UUID parser accepts (hyphens or not, upper case, braces, `urn:uuid:`),
 * or null when the value is not a UUID. Anything that is not a UUID is "not found" to the tools (spec/tools.md §1.6).
 */
export function parseUuid(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // the spelling every client sends (ours included): already canonical, one test instead of five rewrites
  if (value.length === 36 && CANONICAL.test(value)) return value;
  let v = value.trim().toLowerCase();
  if (v.startsWith('urn:uuid:')) v = v.slice(9);
  if (v.startsWith('{') && v.endsWith('}')) v = v.slice(1, -1);
  const hex = v.replace(/-/g, '');
  if (!HEX32.test(hex)) return null;
  if (v.includes('-') && !CANONICAL.test(v)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
