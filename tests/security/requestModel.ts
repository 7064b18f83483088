/**
 * Generated requests for the route-policy property suite, and the oracle: from how a request was built (which route,
 * which near-miss of its path, which method, key and body), what the edge must answer. The oracle never asks the
 * route table; it knows by construction whether a near-miss still names a route.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EXPECTED_ROUTES, NAME_FIELD, PUBLIC_RPC, PUBLIC_TOOLS, isFree, type ExpectedRoute } from './expectedRoutes.ts';
import type { Principals } from './securityServers.ts';

export type KeyKind = 'none' | 'wrong' | 'revoked' | 'other' | 'valid';
export type Mutation =
  | 'none'
  | 'case'
  | 'pct-literal'
  | 'double-slash'
  | 'dot-segment'
  | 'pct-dot-segment'
  | 'pct-slash'
  | 'trailing-slash'
  | 'trailing-dot'
  | 'trailing-semicolon'
  | 'dotdot-param'
  | 'nul-param';

export interface GenRequest {
  route: ExpectedRoute;
  mutation: Mutation;
  /** Which literal segment / character a mutation touches (taken modulo what exists). */
  pick: number;
  method: string;
  key: KeyKind;
  /** Parameter values: `own` = the owner's plan, `random` = a plan that does not exist. */
  planRef: 'own' | 'random';
  file: string;
  withToken: boolean;
  body?:
    | { kind: 'rpc'; messages: RpcMsg[]; batch: boolean; dupMethod?: string }
    | { kind: 'rest'; tool: string; dupTool?: string }
    | { kind: 'answer'; error: boolean }
    | { kind: 'junk' }
    | { kind: 'huge' };
  chunked: boolean;
  acceptStream: boolean;
  /** MCP request headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name): absent, agreeing with the body, or not. */
  mcp?: McpHeaders;
}

export interface McpHeaders {
  version?: string;
  method?: string;
  /** As sent (an invalid `=?base64?…?=` value included). */
  name?: string;
}

export interface RpcMsg {
  method: string;
  tool?: string;
}

/** Method tokens Node's HTTP parser knows (it answers 400 to any other before the application sees it). */
const METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE', 'MKCOL', 'SEARCH', 'PURGE'];
const RPC = [...PUBLIC_RPC, 'tools/call', 'tools/call', 'tools/call', 'resources/read', 'completion/complete', 'logging/setLevel', 'subscriptions/listen'];
const TOOLS = [...PUBLIC_TOOLS, 'plan_status', 'plan_list', 'plan_stop', 'plan_file_info'];

const rpcMsg: fc.Arbitrary<RpcMsg> = fc.record({ method: fc.constantFrom(...RPC), tool: fc.constantFrom(...TOOLS) }).map((m) => (m.method === 'tools/call' ? m : { method: m.method }));

export const genRequest: fc.Arbitrary<GenRequest> = fc
  .record({
    route: fc.constantFrom(...EXPECTED_ROUTES),
    mutation: fc.oneof(
      { weight: 5, arbitrary: fc.constant<Mutation>('none') },
      {
        weight: 5,
        arbitrary: fc.constantFrom<Mutation>('case', 'pct-literal', 'double-slash', 'dot-segment', 'pct-dot-segment', 'pct-slash', 'trailing-slash', 'trailing-dot', 'trailing-semicolon', 'dotdot-param', 'nul-param'),
      },
    ),
    pick: fc.nat(1000),
    ownMethod: fc.boolean(),
    anyMethod: fc.constantFrom(...METHODS),
    methodPick: fc.nat(10),
    key: fc.constantFrom<KeyKind>('none', 'wrong', 'revoked', 'other', 'valid'),
    planRef: fc.constantFrom<'own' | 'random'>('own', 'own', 'random'),
    file: fc.constantFrom('report.html', 'run.zip', 'plan.md', 'swagger-ui.css', 'init.js'),
    withToken: fc.boolean(),
    bodyKind: fc.constantFrom('rpc', 'rpc', 'rest', 'answer', 'junk', 'huge', 'none'),
    messages: fc.array(rpcMsg, { minLength: 1, maxLength: 3 }),
    batch: fc.boolean(),
    dup: fc.option(fc.constantFrom('tools/list', 'tools/call', 'ping'), { nil: undefined }),
    tool: fc.constantFrom(...TOOLS),
    dupTool: fc.option(fc.constantFrom(...TOOLS), { nil: undefined }),
    chunked: fc.boolean(),
    acceptStream: fc.constantFrom(true, true, false),
    mcpKind: fc.constantFrom('none', 'none', 'agree', 'agree', 'disagree', 'bad-name'),
    mcpVersion: fc.constantFrom(undefined, '2025-11-25', '2026-07-28', '2026-07-28'),
    mcpMethod: fc.constantFrom(...RPC),
    mcpName: fc.constantFrom(...TOOLS, 'plan_create'),
  })
  .map((g): GenRequest => {
    const method = g.ownMethod ? g.route.methods[g.methodPick % g.route.methods.length] : g.anyMethod;
    const sendsBody = method !== 'GET' || g.bodyKind === 'junk';
    if (method === 'POST' && g.bodyKind === 'none') g.bodyKind = 'junk';
    let body: GenRequest['body'];
    if (sendsBody && g.bodyKind === 'rpc') body = { kind: 'rpc', messages: g.batch ? g.messages : g.messages.slice(0, 1), batch: g.batch, dupMethod: g.dup };
    else if (sendsBody && g.bodyKind === 'rest') body = { kind: 'rest', tool: g.tool, dupTool: g.dupTool };
    else if (sendsBody && g.bodyKind === 'answer') body = { kind: 'answer', error: g.batch };
    else if (sendsBody && g.bodyKind === 'junk') body = { kind: 'junk' };
    else if (sendsBody && g.bodyKind === 'huge') body = { kind: 'huge' };
    let mcp: McpHeaders | undefined;
    if (g.mcpKind === 'agree') {
      const first = body?.kind === 'rpc' ? body.messages[0] : { method: g.mcpMethod, tool: g.mcpName };
      mcp = { version: g.mcpVersion, method: first.method, name: first.method === 'tools/call' ? first.tool : undefined };
    } else if (g.mcpKind === 'disagree') mcp = { version: g.mcpVersion, method: g.mcpMethod, name: g.mcpMethod === 'tools/call' ? g.mcpName : undefined };
    else if (g.mcpKind === 'bad-name') mcp = { version: g.mcpVersion, method: 'tools/call', name: '=?base64?not base64?=' };
    return { route: g.route, mutation: g.mutation, pick: g.pick, method, key: g.key, planRef: g.planRef, file: g.file, withToken: g.withToken, body, chunked: g.chunked && !!body, acceptStream: g.acceptStream, mcp };
  });

// ---------------------------------------------------------------------------------------------------------------
// Building the request line

interface Built {
  path: string;
  /** The route the path still names (undefined: no route), and the parameters as the server will decode them. */
  names?: { path: string; params: Record<string, string> };
}

const flipCase = (s: string, i: number) => {
  const letters = [...s].map((c, j) => (/[a-z]/i.test(c) ? j : -1)).filter((j) => j >= 0);
  if (!letters.length) return undefined;
  const j = letters[i % letters.length];
  const c = s[j];
  return s.slice(0, j) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + s.slice(j + 1);
};

export function buildPath(g: GenRequest, p: Principals): Built {
  const planId = g.planRef === 'own' ? p.planId : randomUUID();
  const patternSegs = g.route.path.slice(1).split('/');
  const values: Record<string, string> = {};
  const segs = patternSegs.map((s) => {
    if (!s.startsWith(':')) return s;
    const name = s.slice(1);
    const v = name === 'plan_id' ? planId : g.file;
    values[name] = v;
    return v;
  });
  const isParam = (i: number) => patternSegs[i].startsWith(':');
  const literalIdx = segs.map((_, i) => i).filter((i) => !isParam(i) && segs[i] !== '');
  const paramIdx = segs.map((_, i) => i).filter(isParam);
  const join = (xs: string[]) => '/' + xs.join('/');
  const same: Built['names'] = { path: g.route.path, params: values };
  const lit = literalIdx.length ? literalIdx[g.pick % literalIdx.length] : undefined;
  switch (g.mutation) {
    case 'none':
      return { path: join(segs), names: same };
    case 'case': {
      const flipped = lit === undefined ? undefined : flipCase(segs[lit], g.pick);
      if (lit === undefined || flipped === undefined) return { path: join(segs) + '//', names: undefined };
      const out = [...segs];
      out[lit] = flipped;
      return { path: join(out) };
    }
    case 'pct-literal': {
      if (lit === undefined) return { path: '/%2F' };
      const out = [...segs];
      const s = out[lit];
      const j = g.pick % s.length;
      out[lit] = s.slice(0, j) + '%' + s.charCodeAt(j).toString(16).padStart(2, '0') + s.slice(j + 1);
      return { path: join(out) };
    }
    case 'double-slash': {
      const out = [...segs];
      const j = g.pick % out.length;
      out.splice(j, 0, '');
      return { path: join(out) };
    }
    case 'dot-segment':
    case 'pct-dot-segment': {
      const out = [...segs];
      out.splice(g.pick % (out.length + 1), 0, g.mutation === 'dot-segment' ? '.' : ['%2e', '%2E', '%2e%2e'][g.pick % 3]);
      return { path: join(out) };
    }
    case 'pct-slash': {
      if (paramIdx.length) {
        const out = [...segs];
        out[paramIdx[g.pick % paramIdx.length]] = `a%2f${g.pick % 2 ? 'b' : '..'}`;
        return { path: join(out) };
      }
      // a `/` between two literal segments written as %2f (or one after a single segment)
      return { path: segs.length === 1 ? join(segs) + '%2F' : join(segs).replace(/\/([^/]*)$/, '%2f$1') };
    }
    case 'trailing-slash': {
      const path = join(segs) + '/';
      return { path, names: g.route.alias === path ? same : undefined };
    }
    case 'trailing-dot':
    case 'trailing-semicolon': {
      const ch = g.mutation === 'trailing-dot' ? '.' : ';';
      const last = segs.length - 1;
      const out = [...segs];
      out[last] += ch;
      if (!isParam(last)) return { path: join(out) };
      const name = patternSegs[last].slice(1);
      return { path: join(out), names: { path: g.route.path, params: { ...values, [name]: values[name] + ch } } };
    }
    case 'dotdot-param':
    case 'nul-param': {
      if (!paramIdx.length) return { path: join([...segs, g.mutation === 'nul-param' ? '%00' : '..']) };
      const out = [...segs];
      out[paramIdx[g.pick % paramIdx.length]] = g.mutation === 'nul-param' ? 'a%00b' : ['..', '%2e%2e', '.%2e'][g.pick % 3];
      return { path: join(out) };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies

export interface BuiltBody {
  text: string;
  /** What JSON.parse makes of it (what every layer of the server sees), or undefined when it is not JSON. */
  parsed: unknown;
}

export function buildBody(g: GenRequest, p: Principals): BuiltBody | undefined {
  const b = g.body;
  if (!b) return undefined;
  let text: string;
  if (b.kind === 'junk') text = '{"jsonrpc": "2.0", "method": ';
  else if (b.kind === 'huge') text = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', pad: 'x'.repeat(6000) });
  else if (b.kind === 'answer') {
    // a client's answer to a server-to-client request (spec/http.md §6.1), under a wire id no call is waiting on
    const id = `${randomBytes(6).toString('hex')}.${randomBytes(16).toString('base64url')}`;
    text = JSON.stringify(b.error ? { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } } : { jsonrpc: '2.0', id, result: { action: 'accept', content: { name: 'x' } } });
  }
  else if (b.kind === 'rest') {
    const args = `{"plan_id":"${p.planId}"}`;
    text = b.dupTool ? `{"tool":"${b.tool}","arguments":${args},"tool":"${b.dupTool}"}` : `{"tool":"${b.tool}","arguments":${args}}`;
  } else {
    const one = (m: RpcMsg, i: number) => {
      const params =
        m.method === 'tools/call'
          ? `{"name":"${m.tool}","arguments":{"plan_id":"${p.planId}"}}`
          : m.method === 'initialize'
            ? '{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}'
            : '{}';
      const head = `"jsonrpc":"2.0","id":${i + 1},"method":"${m.method}"`;
      // a duplicated key: JSON.parse keeps the last, and so must every layer that decides anything
      return b.dupMethod && i === 0 ? `{${head},"params":${params},"method":"${b.dupMethod}"}` : `{${head},"params":${params}}`;
    };
    const msgs = b.messages.map(one);
    text = b.batch ? `[${msgs.join(',')}]` : msgs[0];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { text, parsed };
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle

/** Whether a request without a key is let through on an `exempt` route (spec/http.md §3.2). */
export function isPublic(route: ExpectedRoute, method: string, body: unknown, bodyRead: boolean): boolean {
  if (route.id === 'mcp_stream' || route.id === 'mcp_tools') return method === 'GET' || method === 'HEAD';
  if (route.id === 'mcp' && method === 'HEAD') return true;
  if (method !== 'POST' || !bodyRead) return false;
  if (route.id === 'mcp_tools_call') return !!body && typeof body === 'object' && !Array.isArray(body) && PUBLIC_TOOLS.includes((body as any).tool);
  if (route.id !== 'mcp') return false;
  const msgs: any[] = Array.isArray(body) ? body : [body];
  if (!msgs.length || !msgs.every((m) => m && typeof m === 'object' && typeof m.method === 'string')) return false;
  if (msgs.every((m) => PUBLIC_RPC.includes(m.method))) return true;
  return msgs.every((m) => m.method === 'tools/call' && typeof m.params?.name === 'string' && PUBLIC_TOOLS.includes(m.params.name));
}

/** A client's answer to a server-to-client request: an id with a result or an error, no method. */
export const isAnswer = (m: any): boolean =>
  !!m && typeof m === 'object' && !Array.isArray(m) && !('method' in m) && (typeof m.id === 'string' || typeof m.id === 'number') && ('result' in m || 'error' in m);

/** Whether a served request spends the route's budget (the tool-call budget is for tool calls only; answers are free). */
export function isCharged(route: ExpectedRoute, method: string, body: unknown): boolean {
  if (route.rate === 'none') return false;
  if (route.rate === 'download') return true;
  if (method === 'HEAD' || method === 'GET') return false;
  if (method !== 'POST' || route.id === 'mcp_tools_call' || body === undefined) return true;
  const msgs: any[] = Array.isArray(body) ? body : [body];
  return !(msgs.length && msgs.every((m) => isAnswer(m) || (m && typeof m === 'object' && isFree(m.method))));
}

/** The MCP headers as request headers. */
export function mcpHeaderLines(h: McpHeaders | undefined): Record<string, string> {
  if (!h) return {};
  return {
    ...(h.version ? { 'mcp-protocol-version': h.version } : {}),
    ...(h.method ? { 'mcp-method': h.method } : {}),
    ...(h.name ? { 'mcp-name': h.name } : {}),
  };
}

const nameIsValid = (n: string | undefined) => n === undefined || !n.startsWith('=?base64?');

/**
 * Whether the edge classifies a POST to the MCP endpoint from its headers alone, the body unparsed: only a request
 * of the 2026-07-28 era (whose server refuses any header/body disagreement) claiming a method that costs budget and,
 * without a key, one that is not public; and only a single JSON object within the body limit.
 */
export function headerOnly(route: ExpectedRoute, method: string, h: McpHeaders | undefined, hasKey: boolean, bodyText: string | undefined): boolean {
  if (route.id !== 'mcp' || method !== 'POST' || !h || bodyText === undefined) return false;
  if (h.version !== '2026-07-28' || !h.method || !nameIsValid(h.name) || isFree(h.method)) return false;
  const publicClaim = PUBLIC_RPC.includes(h.method) || (h.method === 'tools/call' && !!h.name && PUBLIC_TOOLS.includes(h.name));
  if (!hasKey && publicClaim) return false;
  return bodyText.trimStart().startsWith('{');
}

/** Whether headers and a parsed body disagree (what the edge must refuse with -32020 when it reads the body). */
export function headersDisagree(h: McpHeaders | undefined, body: unknown): boolean {
  if (!h || body === undefined) return false;
  if (!nameIsValid(h.name)) return true;
  const msgs: any[] = Array.isArray(body) ? body : [body];
  return msgs.some((m) => {
    if (!m || typeof m !== 'object' || Array.isArray(m) || typeof m.method !== 'string') return false;
    if (h.method !== undefined && h.method !== m.method) return true;
    const field = NAME_FIELD[m.method];
    const value = field && m.params && typeof m.params === 'object' ? m.params[field] : undefined;
    return h.name !== undefined && typeof value === 'string' && value !== h.name;
  });
}
