/**
 * The route table: every public path, what it is and which policy applies to it. The edge (auth, body size, rate
 * limits), the gateway's routing, every service's router, OpenAPI, span names, the discovery document and the URLs
 * the service hands out all read this file; no other production file spells a public path.
 *
 * A request is matched once, exactly: letter case matters, literal segments compare byte for byte (no
 * percent-decoding, so `/%6dcp` is not `/mcp`), empty, `.` and `..` segments never match, parameters are
 * percent-decoded once and may not decode to `/`, `\`, `..` or a control character. What matches nothing is 404;
 * a known path with a method it does not take is 405 with `Allow`. Written by hand (not a router library) because
 * the table is also the policy, and the policy must never be decided by a looser match than the routing.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

/** The service that answers a route (edge = the gateway itself, in both run modes). */
export type RouteOwner = 'edge' | 'tools' | 'stream' | 'artifacts';

/**
 * open: no key needed, none checked. handshake-exempt: a key is needed except for the MCP handshake, listings and
 * the public tools (spec/http.md §3.2); a key that is present is always checked. protected: a key, always.
 * token-or-key: a download token valid for exactly this plan and file, or a key.
 */
export type AuthClass = 'open' | 'handshake-exempt' | 'protected' | 'token-or-key';

/** tool-calls: the main budget, spent by tool calls only (handshakes and listings are free); download: its own. */
export type RateBudget = 'none' | 'tool-calls' | 'download';

/** none: the body is never read. json: read up to the body limit. json-length-required: and a Content-Length is required (411). */
export type BodyPolicy = 'none' | 'json' | 'json-length-required';

export interface RouteSpec {
  readonly id: RouteId;
  /** Pattern: literal segments and `:param` segments. */
  readonly path: string;
  /** Other spellings of the same route (only `/mcp/` for `/mcp`). */
  readonly aliases?: readonly string[];
  readonly methods: readonly HttpMethod[];
  readonly owner: RouteOwner;
  readonly auth: AuthClass;
  readonly rate: RateBudget;
  readonly body: BodyPolicy;
  /** Refusals as JSON-RPC errors with HTTP 200 (MCP clients would start an OAuth discovery on 401). */
  readonly jsonRpcRefusals?: boolean;
}

export type RouteId =
  | 'root'
  | 'healthcheck'
  | 'livez'
  | 'readyz'
  | 'openapi'
  | 'docs'
  | 'docs_asset'
  | 'docs_oauth2_redirect'
  | 'docs_oauth2_redirect_js'
  | 'redoc'
  | 'server_card'
  | 'mcp_server_card'
  | 'ai_catalog'
  | 'glama'
  | 'llms_txt'
  | 'llm_txt'
  | 'robots'
  | 'mcp'
  | 'mcp_stream'
  | 'mcp_tools'
  | 'mcp_tools_call'
  | 'sse_plan'
  | 'download'
  | 'example_file';

const open = (id: RouteId, path: string, owner: RouteOwner = 'edge'): RouteSpec => ({
  id,
  path,
  methods: ['GET', 'HEAD'],
  owner,
  auth: 'open',
  rate: 'none',
  body: 'none',
});

const MCP = '/mcp';

export const ROUTES: readonly RouteSpec[] = [
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
  // the SEP-2127 server card (2026-07-28 discovery) and the AI catalog that points at it; server_card is the older
  // well-known spelling, kept as an alias that serves the same card
  open('mcp_server_card', `${MCP}/server-card`),
  open('ai_catalog', '/.well-known/ai-catalog.json'),
  open('server_card', '/.well-known/mcp/server-card.json'),
  open('glama', '/.well-known/glama.json'),
  open('llms_txt', '/llms.txt'),
  open('llm_txt', '/llm.txt'),
  open('robots', '/robots.txt'),
  // the MCP endpoint: JSON-RPC (tools) and the idle GET stream (stream service, under the SSE connection caps)
  { id: 'mcp', path: MCP, aliases: [`${MCP}/`], methods: ['POST', 'HEAD', 'DELETE'], owner: 'tools', auth: 'handshake-exempt', rate: 'tool-calls', body: 'json', jsonRpcRefusals: true },
  { id: 'mcp_stream', path: MCP, aliases: [`${MCP}/`], methods: ['GET'], owner: 'stream', auth: 'handshake-exempt', rate: 'none', body: 'none', jsonRpcRefusals: true },
  { id: 'mcp_tools', path: `${MCP}/tools`, methods: ['GET', 'HEAD'], owner: 'tools', auth: 'handshake-exempt', rate: 'none', body: 'none' },
  { id: 'mcp_tools_call', path: `${MCP}/tools/call`, methods: ['POST'], owner: 'tools', auth: 'handshake-exempt', rate: 'tool-calls', body: 'json-length-required' },
  // open by design: the unguessable plan id is the secret (spec/http.md §3.1); capped by the SSE connection limits
  { id: 'sse_plan', path: '/sse/plan/:plan_id', methods: ['GET'], owner: 'stream', auth: 'open', rate: 'none', body: 'none' },
  { id: 'download', path: '/download/:plan_id/:filename', methods: ['GET', 'HEAD'], owner: 'artifacts', auth: 'token-or-key', rate: 'download', body: 'none' },
  // published example plans are public by design (the operator chose to publish them)
  open('example_file', '/examples/:plan_id/:file', 'tools'),
];

export const ROUTE: Readonly<Record<RouteId, RouteSpec>> = Object.fromEntries(ROUTES.map((r) => [r.id, r])) as Record<RouteId, RouteSpec>;

export type RouteMatch =
  | { kind: 'route'; route: RouteSpec; params: Record<string, string> }
  /** A known path, a method it does not take (405); `allow` lists what it takes. */
  | { kind: 'method'; allow: string; routes: readonly RouteSpec[] }
  /** A known path asked with OPTIONS (the edge answers it; real CORS preflights are answered by the CORS layer). */
  | { kind: 'options'; allow: string; routes: readonly RouteSpec[] }
  | { kind: 'none' };

interface Compiled {
  spec: RouteSpec;
  /** Literal segments as strings, parameters as `{ name }`. */
  segments: (string | { name: string })[];
}

const compile = (spec: RouteSpec, path: string): Compiled => ({
  spec,
  segments: path
    .slice(1)
    .split('/')
    .map((s) => (s.startsWith(':') ? { name: s.slice(1) } : s)),
});

/** Patterns grouped by their first segment (every pattern starts with a literal), so a lookup compares few. */
const BY_HEAD = new Map<string, Compiled[]>();
for (const spec of ROUTES) {
  for (const p of [spec.path, ...(spec.aliases ?? [])]) {
    const c = compile(spec, p);
    const head = c.segments[0] as string;
    BY_HEAD.set(head, [...(BY_HEAD.get(head) ?? []), c]);
  }
}

// eslint-disable-next-line no-control-regex
const UNSAFE_PARAM = /[\u0000-\u001f\u007f/\\]/;

/** A parameter segment decoded once, or undefined when it is not one a route takes. */
function decodeParam(raw: string): string | undefined {
  if (!raw) return undefined;
  let v: string;
  try {
    v = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return undefined;
  }
  if (!v || v === '.' || v.includes('..') || UNSAFE_PARAM.test(v)) return undefined;
  return v;
}

function matchSegments(c: Compiled, segs: string[]): Record<string, string> | undefined {
  if (c.segments.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const want = c.segments[i];
    if (typeof want === 'string') {
      if (want !== segs[i]) return undefined;
    } else {
      const v = decodeParam(segs[i]);
      if (v === undefined) return undefined;
      params[want.name] = v;
    }
  }
  return params;
}

const allowOf = (routes: readonly RouteSpec[]) => [...new Set(routes.flatMap((r) => r.methods)), 'OPTIONS'].join(', ');

/** The one route lookup: `rawPath` is the request path as sent, without the query, still percent-encoded. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  if (rawPath.length > 2048 || rawPath[0] !== '/') return { kind: 'none' };
  const segs = rawPath.slice(1).split('/');
  const candidates = BY_HEAD.get(segs[0]);
  if (!candidates) return { kind: 'none' };
  const hits: { spec: RouteSpec; params: Record<string, string> }[] = [];
  for (const c of candidates) {
    const params = matchSegments(c, segs);
    if (params) hits.push({ spec: c.spec, params });
  }
  if (!hits.length) return { kind: 'none' };
  for (const h of hits) if ((h.spec.methods as readonly string[]).includes(method)) return { kind: 'route', route: h.spec, params: h.params };
  const routes = hits.map((h) => h.spec);
  return { kind: method === 'OPTIONS' ? 'options' : 'method', allow: allowOf(routes), routes };
}

/** The path of a request URL (`/a/b?c` → `/a/b`), as sent. */
export const pathOfUrl = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

/** A route's path with its parameters filled in (each percent-encoded once). */
export function routePath(id: RouteId, params: Record<string, string> = {}): string {
  return ROUTE[id].path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`routePath(${id}): missing parameter ${name}`);
    return encodeURIComponent(v);
  });
}

/** A route's path in OpenAPI form (`/download/{plan_id}/{filename}`). */
export const openApiPath = (id: RouteId): string => ROUTE[id].path.replace(/:([a-z_]+)/g, '{$1}');

/** The span name of a matched request: method and pattern (never the ids in the path). */
export const spanName = (method: string, route: RouteSpec | undefined): string => `${method} ${route ? route.path : 'unmatched'}`;

const trimBase = (base: string) => base.replace(/\/+$/, '');

/** URL builders for what the service hands out. `base` is `<scheme>://<host>[/prefix]`. */
export const urls = {
  mcp: (base: string) => trimBase(base) + ROUTE.mcp.path,
  sse: (base: string, planId: string) => trimBase(base) + routePath('sse_plan', { plan_id: planId }),
  download: (base: string, planId: string, filename: string, token?: string) =>
    trimBase(base) + routePath('download', { plan_id: planId, filename }) + (token ? `?token=${encodeURIComponent(token)}` : ''),
  example: (base: string, planId: string, file: string) => trimBase(base) + routePath('example_file', { plan_id: planId, file }),
};

/** The MCP endpoint's path, for clients that build URLs from a base (the local proxy). */
export const MCP_PATH = ROUTE.mcp.path;
/** The REST bridge's paths, which the local proxy strips from a configured URL to find the base. */
export const REST_BRIDGE_PATHS = [ROUTE.mcp_tools_call.path, ROUTE.mcp_tools.path] as const;

/**
 * JSON-RPC methods that never spend the tool-call budget: the handshake (2025's `initialize`, 2026-07-28's
 * `server/discover`), notifications, ping and the listings. (A batch is free only when every member is.)
 * `subscriptions/listen` is not here on purpose: it holds a stream open, so it is a paid, keyed request; nor is
 * `resources/list`, which reads the caller's plans from the database like plan_list (which costs 1).
 */
const FREE_RPC = new Set(['initialize', 'server/discover', 'ping', 'tools/list', 'prompts/list', 'resources/templates/list']);
export const isFreeRpcMethod = (method: unknown): boolean => typeof method === 'string' && (FREE_RPC.has(method) || method.startsWith('notifications/'));

/**
 * What one JSON-RPC message a client POSTs to /mcp is, for the edge's policy: a `request` or `notification` (has a
 * method), or an `answer` — a response to a request the server sent it during a 2025 call (sampling, elicitation;
 * spec/http.md §6.1): an id with a result or an error, no method. Anything else is `invalid` (the server refuses it).
 */
export type RpcMessageKind = 'request' | 'notification' | 'answer' | 'invalid';

export function rpcMessageKind(m: unknown): RpcMessageKind {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'invalid';
  const o = m as Record<string, unknown>;
  if ('method' in o) return typeof o.method !== 'string' ? 'invalid' : 'id' in o ? 'request' : 'notification';
  const id = o.id;
  if ((typeof id === 'string' || typeof id === 'number') && ('result' in o || 'error' in o)) return 'answer';
  return 'invalid';
}

/**
 * Whether a message costs no budget of its own: a free method, or a client's answer (the call that asked was
 * charged; the answer only completes it). Free is not public: an answer needs the same key as any /mcp call, and
 * the server delivers it only to a call of the same caller.
 */
export const isFreeRpcMessage = (m: unknown): boolean => rpcMessageKind(m) === 'answer' || (!!m && typeof m === 'object' && isFreeRpcMethod((m as { method?: unknown }).method));

/**
 * The Content-Security-Policy of a published report (downloads and examples): it runs its own scripts (collapsible
 * sections, Gantt) but in an opaque origin, so whatever it holds cannot act as this API's origin; never framed.
 */
export const REPORT_CSP = "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'none'";
