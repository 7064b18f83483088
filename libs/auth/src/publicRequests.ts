import { PUBLIC_TOOLS } from '@planexe/contracts';

const PUBLIC_METHODS = new Set([
  'initialize',
  'notifications/initialized',
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'ping',
]);

/**
 * Whether a request may go without a key while auth is required (spec/http.md §3.2). The path must already be
 * normalised (`/mcp` → `/mcp/`): there is deliberately no special case for the bare path.
 */
export function isPublicRequest(method: string, path: string, body: unknown): boolean {
  if ((method === 'GET' || method === 'HEAD') && path === '/mcp/') return true;
  if (method === 'GET' && path === '/mcp/tools') return true;
  if (method !== 'POST') return false;
  if (path === '/mcp/tools/call') {
    return !!body && typeof body === 'object' && !Array.isArray(body) && PUBLIC_TOOLS.includes((body as any).tool);
  }
  if (path !== '/mcp/') return false;
  const msgs = Array.isArray(body) ? body : [body];
  if (!msgs.length || !msgs.every((m) => m && typeof m === 'object' && typeof (m as any).method === 'string')) return false;
  if (msgs.every((m: any) => PUBLIC_METHODS.has(m.method))) return true;
  return msgs.every((m: any) => m.method === 'tools/call' && typeof m.params?.name === 'string' && PUBLIC_TOOLS.includes(m.params.name));
}
