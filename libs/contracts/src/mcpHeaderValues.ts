/**
 * Values of the MCP 2026-07-28 request headers that mirror the body (SEP-2243): `Mcp-Name` and the `Mcp-Param-*`
 * headers of tool arguments declared with `x-mcp-header`. A value is plain, or `=?base64?…?=` holding UTF-8 (for
 * what a header cannot carry). The gateway and the tools service decode them the same way, here.
 */

const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Trims the optional whitespace HTTP allows around a field value (SP, HTAB). */
export const trimOws = (v: string): string => v.replace(/^[ \t]+|[ \t]+$/g, '');

/** A mirrored header value decoded: plain as it is, a Base64 sentinel's UTF-8 payload; `null` when that is invalid. */
export function decodeMcpHeaderValue(v: string): string | null {
  if (!(v.startsWith('=?base64?') && v.endsWith('?='))) return v;
  const b64 = v.slice(9, -2);
  if (!BASE64_CANONICAL.test(b64)) return null;
  try {
    return utf8.decode(Buffer.from(b64, 'base64'));
  } catch {
    return null;
  }
}
