import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  classifyInboundRequest,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
} from '@modelcontextprotocol/server';
// the contract's revisions only: an older one the SDK may still take goes to the SDK
import { LEGACY_MCP_PROTOCOL_VERSIONS, MODERN_MCP_PROTOCOL_VERSIONS } from '@planexe/contracts';
import type { ToolResult } from './registry.ts';
import { PLAN_TASK_TOOLS } from './tasks/planTasks.ts';
import { bodyDeclaresTasks } from './tasks/wire.ts';

/**
 * The plain-call lane of /mcp: a `tools/call` that can only ever be answered with one JSON result is served here,
 * without an SDK server instance; every other request goes to the SDK (mcpHttp.ts).
 *
 * Why by hand: the SDK v2 serves each HTTP request with a fresh server, transport and fetch Request/Response pair
 * and validates every message with zod on the way in and out — about 0.6 ms of CPU per exchange, which held /mcp
 * to a fifth of a plain Koa route (`npm run bench:tools`, GOAL mcp-vs-koa). A plain call needs none of it: its
 * answer is the registry's result in a JSON-RPC envelope, stamped as the SDK stamps a 2026-07-28 result. The lane
 * takes only what it can answer exactly as the SDK would — `mcpPlainCall.test.ts` sends a corpus of requests down
 * both paths on both revisions and compares the answers — and the SDK's own classifier decides the era, so header
 * and envelope rules have one implementation.
 *
 * Plain means: a well-formed JSON-RPC request for `tools/call`, one of the registry's tools (not an extension's,
 * which may log, sample or elicit), no `_meta.progressToken` (no notifications before the result), not a plan tool
 * from a client that declared the tasks extension (that answer is a task), and, on 2026-07-28, the standard headers
 * present and equal to the body (the SDK answers every mismatch or encoding).
 */

/** Envelope keys a plain 2026-07-28 call may carry; any other (a progress token, a related task) goes to the SDK. */
const PLAIN_MODERN_META = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, LOG_LEVEL_META_KEY]);

/**
 * Whether the SDK's classifier takes a tools/call carrying this envelope, under headers that agree with it, as a
 * modern request of `revision`. The verdict depends on the envelope alone (the id, name and arguments are checked
 * above, the headers are required to equal the body), and a client sends the same envelope on every request, so it
 * is remembered by the envelope's JSON: the classifier's zod pass is a tenth of this lane's CPU. Bounded: a client
 * varying its envelope empties the memory instead of growing it.
 */
const envelopeVerdicts = new Map<string, boolean>();
const MAX_REMEMBERED_ENVELOPES = 256;
const MAX_REMEMBERED_ENVELOPE_CHARS = 2048;
function envelopeIsModern(meta: Record<string, unknown>, revision: string): boolean {
  try {
    const key = `${revision} ${JSON.stringify(meta)}`;
    // remembered only when the JSON says all the classifier saw: short (a megabyte of capabilities is not kept), and
    // without null, which is also how an Infinity (1e999 in the body) is written, so a verdict on one cannot answer
    // for the other
    const rememberable = key.length <= MAX_REMEMBERED_ENVELOPE_CHARS && !key.includes('null');
    let verdict = rememberable ? envelopeVerdicts.get(key) : undefined;
    if (verdict === undefined) {
      const route = classifyInboundRequest({
        httpMethod: 'POST',
        protocolVersionHeader: revision,
        mcpMethodHeader: 'tools/call',
        mcpNameHeader: 'plan_status',
        body: { jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'plan_status', arguments: {}, _meta: meta } },
      });
      verdict = route.kind === 'modern' && route.messageKind === 'request' && route.classification.revision === revision;
      if (rememberable) {
        if (envelopeVerdicts.size >= MAX_REMEMBERED_ENVELOPES) envelopeVerdicts.clear();
        envelopeVerdicts.set(key, verdict);
      }
    }
    return verdict;
  } catch {
    return false; // an envelope nothing can walk (nested past the stack): the SDK's to answer
  }
}

export interface PlainCall {
  id: string | number;
  name: string;
  args: Record<string, unknown>;
  /** A 2026-07-28 request: its result is stamped with resultType and the server's identity. */
  modern: boolean;
}

/** The standard MCP request headers, as received (undefined when absent). */
export interface McpHeaders {
  protocolVersion?: string;
  method?: string;
  name?: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The call, when this request is a plain one; undefined sends it to the SDK. `isLaneTool` names the registry's tools. */
export function asPlainCall(body: unknown, headers: McpHeaders, isLaneTool: (name: string) => boolean): PlainCall | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  const id = body.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)))) return undefined;
  const params = body.params;
  if (!isPlainObject(params)) return undefined;
  for (const key in params) if (key !== 'name' && key !== 'arguments' && key !== '_meta') return undefined;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== 'string' || !isLaneTool(name)) return undefined;
  if (args !== undefined && !isPlainObject(args)) return undefined;

  if (meta === undefined) {
    // a 2025 call: no _meta at all (a progress token streams) and a 2025 version header or none. The SDK's classifier
    // (a zod pass over the body, a tenth of this lane's CPU) can only say legacy/no-claim for such a request: with no
    // _meta there is no envelope claim, and with no modern header nothing to cross-check, so it is not asked.
    if (headers.protocolVersion !== undefined && !LEGACY_MCP_PROTOCOL_VERSIONS.includes(headers.protocolVersion)) return undefined;
    return { id, name, args: args ?? {}, modern: false };
  }
  // the standard headers present and equal to the body; a mismatch, a missing header or a Base64 name is the SDK's
  const revision = headers.protocolVersion;
  if (revision === undefined || !MODERN_MCP_PROTOCOL_VERSIONS.includes(revision) || headers.method !== 'tools/call' || headers.name !== name) return undefined;
  if (!isPlainObject(meta)) return undefined;
  for (const key in meta) if (!PLAIN_MODERN_META.has(key)) return undefined;
  if (!envelopeIsModern(meta, revision)) return undefined;
  if (PLAN_TASK_TOOLS.has(name) && bodyDeclaresTasks(params)) return undefined;
  return { id, name, args: args ?? {}, modern: true };
}

/**
 * The JSON-RPC answer to a plain call, as the SDK writes it: on 2026-07-28 the result gains `resultType: "complete"`
 * and the server's identity under `_meta` (a value the result already has is kept), on 2025 it goes as it is.
 */
export function plainCallAnswer(call: PlainCall, result: ToolResult, serverInfo: { name: string; version: string }): string {
  let r = result as unknown as Record<string, unknown>;
  if (call.modern) {
    if (r.resultType === undefined) r = { ...r, resultType: 'complete' };
    const meta = r._meta;
    if (meta === undefined) r = { ...r, _meta: { [SERVER_INFO_META_KEY]: serverInfo } };
    else if (isPlainObject(meta) && meta[SERVER_INFO_META_KEY] === undefined) r = { ...r, _meta: { ...meta, [SERVER_INFO_META_KEY]: serverInfo } };
  }
  return JSON.stringify({ result: r, jsonrpc: '2.0', id: call.id });
}
