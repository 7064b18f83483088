/**
 * What an MCP POST is, decided at the edge for auth and rate limits, from the standard request headers of MCP
 * 2026-07-28 (SEP-2243: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) where they let the edge skip parsing the
 * body, and from the body otherwise.
 *
 * The rule: a header may only raise what a request costs, never exempt it. So the body is skipped (the hot path)
 * only when all of these hold, and read otherwise:
 * - the request names a 2026-07-28-era protocol version in its header. The tools service (SDK v2) then refuses any
 *   header/body disagreement with -32020 before a handler runs, and refuses a modern header on a body without the
 *   modern envelope; a 2025-era server refuses the version outright. Either way, a body that says something else
 *   than the header is never executed, so the header's claim is what the request can do.
 * - `Mcp-Method` names a method that costs budget (a free method is free only once the body proves it), and when no
 *   key is presented, one that is not public (a keyless request is public only once the body proves it).
 * - the body is one JSON object, not a batch (a batch is served in the 2025 era whatever the header says): its first
 *   byte is checked, without parsing.
 * Whenever the edge does read the body, a header that disagrees with it is refused here with -32020, whatever the
 * protocol version (a 2025-era server would not check).
 */
import type { Context, Next } from 'koa';
import { extractApiKey, isPublicRpcCall } from '@planexe/auth';
import { decodeMcpHeaderValue, isFreeRpcMethod, MODERN_MCP_PROTOCOL_VERSIONS, trimOws } from '@planexe/contracts';
import { matchedRoute, readJsonBody, readRawBody, BodyTooLargeError } from '@planexe/http';

/** The MCP request headers (lower case, as Node presents them); the proxy forwards them and CORS allows them. */
export const MCP_HEADERS = { protocolVersion: 'mcp-protocol-version', method: 'mcp-method', name: 'mcp-name', sessionId: 'mcp-session-id' } as const;


/** The JSON-RPC error of a header/body disagreement (MCP 2026-07-28, HeaderMismatch). */
export const HEADER_MISMATCH = -32020;

/** The `_meta` key of a 2026-07-28 request's protocol-version claim. */
const VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** Which params field `Mcp-Name` mirrors, per method (SEP-2243 and SEP-2663's task methods). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};


export interface HeaderClaim {
  version?: string;
  method?: string;
  /** The decoded `Mcp-Name`; `null` when it carries an invalid Base64 sentinel. */
  name?: string | null;
}

/** Trims the optional whitespace HTTP allows around a field value (SP, HTAB). */
const ows = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? trimOws(v) : undefined);

/** An `Mcp-Name` value: plain, or `=?base64?…?=` holding UTF-8; `null` when that sentinel's payload is invalid. */
export const decodeMcpName = decodeMcpHeaderValue;

/** The claim the standard headers make, or undefined when the request carries none of them. */
export function headerClaim(headers: Context['headers']): HeaderClaim | undefined {
  const version = ows(headers[MCP_HEADERS.protocolVersion]);
  const method = ows(headers[MCP_HEADERS.method]);
  const rawName = ows(headers[MCP_HEADERS.name]);
  if (version === undefined && method === undefined && rawName === undefined) return undefined;
  return { version, method, name: rawName === undefined ? undefined : decodeMcpName(rawName) };
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Where the headers disagree with a parsed body, in words; undefined when they agree (or say nothing). */
export function headerBodyMismatch(claim: HeaderClaim, body: unknown): string | undefined {
  if (claim.name === null) return 'the Mcp-Name header carries an invalid Base64 value';
  const msgs = Array.isArray(body) ? body : [body];
  for (const m of msgs) {
    if (!isObject(m) || typeof m.method !== 'string') continue; // responses and junk: the server's business
    if (claim.method !== undefined && claim.method !== m.method) return `the body names method ${m.method} but the Mcp-Method header names ${claim.method}`;
    const field = Object.hasOwn(NAME_SOURCE, m.method) ? NAME_SOURCE[m.method] : undefined;
    const bodyName = field && isObject(m.params) ? m.params[field] : undefined;
    if (claim.name !== undefined && typeof bodyName === 'string' && bodyName !== claim.name) {
      return `the body carries params.${field}="${bodyName}" but the Mcp-Name header names "${claim.name}"`;
    }
    const bodyVersion = isObject(m.params) && isObject(m.params._meta) ? m.params._meta[VERSION_META_KEY] : undefined;
    if (claim.version !== undefined && typeof bodyVersion === 'string' && bodyVersion !== claim.version) {
      return `the body names protocol version ${bodyVersion} but the MCP-Protocol-Version header names ${claim.version}`;
    }
  }
  return undefined;
}

const isPublicClaim = (c: HeaderClaim) => isPublicRpcCall(c.method!, c.name);

/** What a request the headers alone classify costs: plan_create's price when it is (or may be) plan_create. */
export function claimCost(c: HeaderClaim, planCreateCost: number): number {
  if (c.method === 'tools/call' && (c.name === undefined || c.name === 'plan_create')) return planCreateCost;
  return 1;
}

/** The first byte of a body that is not JSON whitespace. */
function firstSignificantByte(raw: Buffer): number | undefined {
  for (const b of raw) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return undefined;
}

export interface McpClassifyOptions {
  maxBodyBytes: number;
  planCreateCost: number;
}

/**
 * The edge step before auth for POSTs to the MCP endpoint: either classifies the request from its headers (setting
 * `ctx.state.mcpHeaderCost`, the cost the limiter charges, and `ctx.state.mcpBodySkipped`, so auth does not parse)
 * or reads the body and refuses a disagreeing header with HTTP 400 and JSON-RPC -32020.
 */
export function mcpClassify(o: McpClassifyOptions) {
  return async (ctx: Context, next: Next) => {
    const m = matchedRoute(ctx);
    if (!m || m.route.id !== 'mcp' || ctx.method !== 'POST') return next();
    const claim = headerClaim(ctx.headers);
    if (!claim) return next(); // nothing claimed: auth and the limiter read the body as always
    const state = ctx.state as { mcpHeaderCost?: number; mcpBodySkipped?: boolean };
    const declared = Number(ctx.get('content-length'));
    if (declared > o.maxBodyBytes) return next(); // the body-size rule answers 413 after auth
    const modern = claim.version !== undefined && MODERN_MCP_PROTOCOL_VERSIONS.includes(claim.version);
    const hasKey = !!extractApiKey(ctx.headers, ctx.query);
    if (modern && claim.method && claim.name !== null && !isFreeRpcMethod(claim.method) && (hasKey || !isPublicClaim(claim))) {
      let raw: Buffer | undefined;
      try {
        raw = await readRawBody(ctx, o.maxBodyBytes);
      } catch (e) {
        if (!(e instanceof BodyTooLargeError)) throw e;
        return next(); // 413 after auth
      }
      if (firstSignificantByte(raw) === 0x7b /* { */) {
        state.mcpBodySkipped = true;
        state.mcpHeaderCost = claimCost(claim, o.planCreateCost);
        return next();
      }
    }
    let body: unknown;
    try {
      const b = await readJsonBody(ctx, o.maxBodyBytes);
      body = b.ok ? b.value : undefined;
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
      return next();
    }
    const mismatch = body === undefined ? undefined : headerBodyMismatch(claim, body);
    if (mismatch) {
      const first = Array.isArray(body) ? body[0] : body;
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.body = {
        jsonrpc: '2.0',
        id: isObject(first) && 'id' in first ? (first.id ?? null) : null,
        error: { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${mismatch}` },
      };
      return;
    }
    return next();
  };
}
