// Shared helpers for the k6 scenarios. BASE_URL and API_KEY come from the environment (-e BASE_URL=…).
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8001').replace(/\/$/, '');
export const API_KEY = __ENV.API_KEY || '';

export function headers() {
  const h = { 'Content-Type': 'application/json' };
  if (API_KEY) h['X-API-Key'] = API_KEY;
  return h;
}

/** One REST-bridge tool call; returns the parsed payload (or null). */
export function callTool(tool, args, tags = {}) {
  const res = http.post(`${BASE_URL}/mcp/tools/call`, JSON.stringify({ tool, arguments: args }), { headers: headers(), tags: { tool, ...tags } });
  check(res, { [`${tool} 200`]: (r) => r.status === 200 });
  if (res.status !== 200) return null;
  try {
    return JSON.parse(res.json('content.0.text'));
  } catch {
    return null;
  }
}
