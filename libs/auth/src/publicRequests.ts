import { PUBLIC_TOOLS, rpcMessageKind, type RouteSpec, type RpcMessageKind } from '@planexe/contracts';

// 2026-07-28 has no handshake: server/discover takes initialize's place. subscriptions/listen is NOT public: it holds
// a stream open, and an open keyless stream on POST would escape the caps GET /mcp streams count against.
// resources/list is NOT public: it lists the caller's own plans (resources/templates/list is the same for everyone).
const PUBLIC_METHODS = new Set([
  'initialize',
  'server/discover',
  'notifications/initialized',
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/templates/list',
  'ping',
]);

/**
 * Whether one JSON-RPC call may go without a key: a handshake or listing method, or a call to a public tool. The one
 * spelling of that rule: the body check below and the gateway's header classification (edgeRpc.ts) both ask it.
 */
export function isPublicRpcCall(method: string, toolName?: unknown): boolean {
  return PUBLIC_METHODS.has(method) || (method === 'tools/call' && typeof toolName === 'string' && (PUBLIC_TOOLS as readonly string[]).includes(toolName));
}

/** The message kinds that may be public; an `answer` never is. */
const CALLS = new Set<RpcMessageKind>(['request', 'notification']);

/**
 * Whether a request to a `handshake-exempt` route may go without a key while auth is required (spec/http.md §3.2).
 * Decided from the matched route, never from the path's spelling: the MCP endpoint's GET/HEAD, the tool listing,
 * the public tools on the REST bridge, and JSON-RPC bodies made only of handshake and listing methods or only of
 * calls to the public tools.
 */
export function isPublicRequest(route: RouteSpec, method: string, body: unknown): boolean {
  if (route.auth !== 'handshake-exempt') return route.auth === 'open';
  switch (route.id) {
    case 'mcp_stream':
    case 'mcp_tools':
      return method === 'GET' || method === 'HEAD';
    case 'mcp_tools_call':
      return method === 'POST' && !!body && typeof body === 'object' && !Array.isArray(body) && PUBLIC_TOOLS.includes((body as any).tool);
    case 'mcp': {
      if (method === 'HEAD') return true;
      if (method !== 'POST') return false;
      const msgs = Array.isArray(body) ? body : [body];
      // only requests and notifications can be public: a client's answer (rpcMessageKind 'answer', spec/http.md
      // §6.1) is never, so it carries the key of the caller whose call it completes, like any other call
      if (!msgs.length || !msgs.every((m) => CALLS.has(rpcMessageKind(m)))) return false;
      if (msgs.every((m: any) => PUBLIC_METHODS.has(m.method))) return true;
      return msgs.every((m: any) => m.method === 'tools/call' && typeof m.params?.name === 'string' && PUBLIC_TOOLS.includes(m.params.name));
    }
    default:
      return false;
  }
}
