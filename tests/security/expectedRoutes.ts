/**
 * The public surface as this suite expects it, spelled literally (independent of libs/contracts/src/routes.ts, so a
 * typo or a policy change there fails the suite). `exempt` = handshake-exempt.
 */
export type Auth = 'open' | 'exempt' | 'protected' | 'token-or-key';
export type Budget = 'none' | 'tool-calls' | 'download';

export interface ExpectedRoute {
  id: string;
  path: string;
  alias?: string;
  methods: string[];
  auth: Auth;
  rate: Budget;
  body: 'none' | 'json' | 'json-length-required';
  /** Refusals are HTTP 200 with JSON-RPC error -32001. */
  rpc?: boolean;
  /** Holds the connection open (an event stream). */
  stream?: boolean;
}

const open = (id: string, path: string): ExpectedRoute => ({ id, path, methods: ['GET', 'HEAD'], auth: 'open', rate: 'none', body: 'none' });

export const EXPECTED_ROUTES: ExpectedRoute[] = [
  open('root', '/'),
  open('healthcheck', '/healthcheck'),
  open('livez', '/livez'),
  open('readyz', '/readyz'),
  open('openapi', '/openapi.json'),
  open('docs', '/docs'),
  open('docs_asset', '/docs/assets/:file'),
  open('docs_oauth2_redirect', '/docs/oauth2-redirect'),
  open('docs_oauth2_redirect_js', '/docs/oauth2-redirect.js'),
  open('redoc', '/redoc'),
  open('mcp_server_card', '/mcp/server-card'),
  open('ai_catalog', '/.well-known/ai-catalog.json'),
  open('server_card', '/.well-known/mcp/server-card.json'),
  open('glama', '/.well-known/glama.json'),
  open('llms_txt', '/llms.txt'),
  open('llm_txt', '/llm.txt'),
  open('robots', '/robots.txt'),
  { id: 'mcp', path: '/mcp', alias: '/mcp/', methods: ['POST', 'HEAD', 'DELETE'], auth: 'exempt', rate: 'tool-calls', body: 'json', rpc: true },
  { id: 'mcp_stream', path: '/mcp', alias: '/mcp/', methods: ['GET'], auth: 'exempt', rate: 'none', body: 'none', rpc: true, stream: true },
  { id: 'mcp_tools', path: '/mcp/tools', methods: ['GET', 'HEAD'], auth: 'exempt', rate: 'none', body: 'none' },
  { id: 'mcp_tools_call', path: '/mcp/tools/call', methods: ['POST'], auth: 'exempt', rate: 'tool-calls', body: 'json-length-required' },
  { id: 'sse_plan', path: '/sse/plan/:plan_id', methods: ['GET'], auth: 'open', rate: 'none', body: 'none', stream: true },
  { id: 'download', path: '/download/:plan_id/:filename', methods: ['GET', 'HEAD'], auth: 'token-or-key', rate: 'download', body: 'none' },
  { id: 'example_file', path: '/examples/:plan_id/:file', methods: ['GET', 'HEAD'], auth: 'open', rate: 'none', body: 'none' },
];

/** Every method a path takes (all routes sharing it), plus OPTIONS, as the Allow header lists them. */
export function allowOf(path: string): string[] {
  const methods = EXPECTED_ROUTES.filter((r) => r.path === path).flatMap((r) => r.methods);
  return [...new Set(methods), 'OPTIONS'];
}

/** The JSON-RPC methods a request without a key may use (spec/http.md §3.2), and the free ones (no budget). */
export const PUBLIC_RPC = ['initialize', 'server/discover', 'notifications/initialized', 'tools/list', 'prompts/list', 'prompts/get', 'resources/templates/list', 'ping'];
export const FREE_RPC = ['initialize', 'server/discover', 'ping', 'tools/list', 'prompts/list', 'resources/templates/list'];
export const PUBLIC_TOOLS = ['example_plans', 'example_prompts', 'model_profiles'];
export const isFree = (m: unknown) => typeof m === 'string' && (FREE_RPC.includes(m) || m.startsWith('notifications/'));

/** The MCP request headers' methods whose body field `Mcp-Name` mirrors (MCP 2026-07-28, SEP-2243). */
export const NAME_FIELD: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };
