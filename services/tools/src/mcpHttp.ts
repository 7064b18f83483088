import type { Context } from 'koa';
import { SUPPORTED_PROTOCOL_VERSIONS, isJSONRPCRequest, isJSONRPCNotification, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { readJsonBody } from '@planexe/http';
import type { MultiplexTransport } from './multiplexTransport.ts';
import { CONTEXT_KEY } from './mcpServer.ts';
import type { ToolContext } from './deps.ts';

function rpcError(ctx: Context, status: number, code: number, message: string, id: unknown = null) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { jsonrpc: '2.0', error: { code, message }, id };
}

const acceptsJson = (accept: string) => !accept || /application\/json|application\/\*|\*\/\*/i.test(accept);

/** A request the SDK would answer with -32603 and a dump of its schema error: the contract's -32602 instead. */
function invalidParams(msg: { method: string; params?: unknown }): string | undefined {
  if (msg.method === 'initialize') {
    const p = msg.params as { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown } | undefined;
    if (!p || typeof p !== 'object') return 'Invalid params: initialize needs params {protocolVersion, capabilities, clientInfo}';
    const missing = (['protocolVersion', 'capabilities', 'clientInfo'] as const).filter((k) => p[k] === undefined || p[k] === null);
    if (missing.length) return `Invalid params: initialize params lack ${missing.join(', ')}`;
    if (typeof p.protocolVersion !== 'string') return 'Invalid params: protocolVersion must be a string';
  }
  return undefined;
}

/**
 * Streamable HTTP in stateless JSON-response mode (spec/http.md §6.1) over one shared server: POST carries one
 * JSON-RPC message and gets one JSON answer; no session ids; DELETE is refused. The route table gives this handler
 * POST, HEAD and DELETE only (GET, the idle stream, belongs to the stream service under the SSE caps; OPTIONS and
 * other methods are answered by the edge).
 */
export function createMcpHttpHandler(transport: MultiplexTransport, opts: { maxBodyBytes: number; context: (ctx: Context) => ToolContext }) {
  return async function mcpHttp(ctx: Context): Promise<void> {
    const method = ctx.method;
    if (method === 'HEAD') {
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = '';
      return;
    }
    if (method === 'DELETE') return rpcError(ctx, 405, -32000, 'Method Not Allowed: Session termination not supported');
    if (method !== 'POST') {
      ctx.set('Allow', 'GET, POST, DELETE');
      return rpcError(ctx, 405, -32000, 'Method Not Allowed.');
    }
    if (!/^application\/json/i.test(ctx.get('content-type'))) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Content-Type header';
      return;
    }
    if (!acceptsJson(ctx.get('accept'))) {
      return rpcError(ctx, 406, -32600, 'Not Acceptable: Client must accept application/json', 'server-error');
    }
    const body = await readJsonBody(ctx, opts.maxBodyBytes);
    if (!body.ok) return rpcError(ctx, 400, -32700, 'Parse error: Invalid JSON');
    const parsed = JSONRPCMessageSchema.safeParse(body.value);
    if (Array.isArray(body.value) || !parsed.success) {
      return rpcError(ctx, 400, -32602, 'Validation error: body must be one JSON-RPC 2.0 message (batches are not supported)');
    }
    const msg = parsed.data;
    const extra = {
      authInfo: { token: '', clientId: 'planexe', scopes: [], extra: { [CONTEXT_KEY]: opts.context(ctx) } },
      requestInfo: { headers: ctx.headers as Record<string, string> },
    };
    if (!isJSONRPCRequest(msg)) {
      if (isJSONRPCNotification(msg)) transport.notify(msg, extra);
      ctx.status = 202;
      ctx.body = '';
      return;
    }
    const bad = invalidParams(msg as { method: string; params?: unknown });
    if (bad) return rpcError(ctx, 200, -32602, bad, msg.id);
    const version = ctx.get('mcp-protocol-version');
    if (msg.method !== 'initialize' && version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return rpcError(
        ctx,
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
        msg.id,
      );
    }
    const answer = await transport.request(msg as any, extra);
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = answer;
  };
}
