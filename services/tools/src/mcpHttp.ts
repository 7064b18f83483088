import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Context } from 'koa';
import {
  createMcpHandler,
  isLegacyRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpServerFactory,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import { readJsonBody } from '@planexe/http';
import type { ConnectionSlots } from '@planexe/infra';
import { CONTEXT_KEY } from './mcpServer.ts';
import { invalidInitializeParams } from './initializeParams.ts';
import type { ToolContext } from './deps.ts';
import { isTaskListen, type createTaskListen } from './tasks/listen.ts';

/** The 2025 revisions the stateless leg serves (the contract's list; 2026-07-28 is the SDK's modern leg). */
const LEGACY_VERSIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < '2026');

function rpcError(ctx: Context, status: number, code: number, message: string, id: unknown = null) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { jsonrpc: '2.0', error: { code, message }, id };
}

const acceptsJson = (accept: string) => !accept || /application\/json|application\/\*|\*\/\*/i.test(accept);
const isRpcMessage = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
const isListen = (v: unknown) => isRpcMessage(v) && (v as { method?: unknown }).method === 'subscriptions/listen';

/** The Koa request as a fetch `Request` without a body (the SDK is handed the parsed body). */
function toWebRequest(ctx: Context, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  return new Request(`http://${ctx.host || 'localhost'}${ctx.url}`, { method: ctx.method, headers, signal });
}

/**
 * /mcp on the SDK v2 packages, one server factory behind both legs:
 * - 2026-07-28 (a request carrying the per-request `_meta` envelope): `createMcpHandler` in strict modern mode —
 *   header/body agreement (-32020), server/discover, subscriptions/listen, removed methods (404, -32601).
 * - 2025-era: a fresh instance per request over the SDK's streamable HTTP transport in stateless JSON-response
 *   mode (spec/http.md §6.1). `createMcpHandler`'s own legacy fallback would answer with SSE, which the contract's
 *   2025 surface never does, so this leg is composed here as the SDK documents (`isLegacyRequest`).
 * This adapter moves a Koa request in and the fetch Response out: the body is read (size-capped) by our reader,
 * which the edge shares. The route table gives this handler POST, HEAD and DELETE (GET, the 2025 idle stream, is
 * the stream service's).
 */
export function createMcpHttpHandler(
  factory: McpServerFactory,
  opts: {
    maxBodyBytes: number;
    context: (ctx: Context) => ToolContext;
    onerror?: (err: Error) => void;
    bus?: ServerEventBus;
    /** Serves a 2026-07-28 listen for task notifications (the tasks extension), which the SDK's listen router cannot. */
    taskListen?: ReturnType<typeof createTaskListen>;
    /** Connection caps (shared with SSE streams and plan_status waits) that a subscriptions/listen stream holds a slot of. */
    slots?: ConnectionSlots;
  },
) {
  const modern = createMcpHandler(factory, { legacy: 'reject', maxRequestBodySize: opts.maxBodyBytes, onerror: opts.onerror, bus: opts.bus });

  async function legacy(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = await factory({ era: 'legacy', authInfo, requestInfo: request });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      supportedProtocolVersions: LEGACY_VERSIONS,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody, authInfo });
    } finally {
      void server.close();
    }
  }

  async function mcpHttp(ctx: Context): Promise<void> {
    if (ctx.method === 'HEAD') {
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = '';
      return;
    }
    if (ctx.method === 'DELETE') return rpcError(ctx, 405, -32000, 'Method Not Allowed: Session termination not supported');
    if (!/^application\/json/i.test(ctx.get('content-type'))) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'Invalid Content-Type header';
      return;
    }
    const body = await readJsonBody(ctx, opts.maxBodyBytes);
    if (!body.ok) return rpcError(ctx, 400, -32700, 'Parse error: Invalid JSON');
    const parsedBody = body.value;

    // a client that goes away mid-exchange cancels it (the response closing before it finished)
    const abort = new AbortController();
    const onClose = () => {
      if (!ctx.res.writableFinished) abort.abort();
    };
    ctx.res.once('close', onClose);
    const toolContext = opts.context(ctx);
    const authInfo: AuthInfo = { token: '', clientId: 'planexe', scopes: [], extra: { [CONTEXT_KEY]: toolContext } };
    const request = toWebRequest(ctx, abort.signal);
    let res: Response;
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: opts.maxBodyBytes })) {
      if (!isRpcMessage(parsedBody)) {
        return rpcError(ctx, 400, -32602, 'Validation error: body must be one JSON-RPC 2.0 message (batches are not supported)');
      }
      if (!acceptsJson(ctx.get('accept'))) {
        return rpcError(ctx, 406, -32600, 'Not Acceptable: Client must accept application/json', 'server-error');
      }
      const message = parsedBody as { id?: unknown; method?: unknown; params?: unknown };
      const badInit = message.id !== undefined ? invalidInitializeParams(message) : undefined;
      if (badInit) return rpcError(ctx, 200, -32602, badInit, message.id);
      // the 2025 surface answers JSON to any client that takes it (curl sends no Accept); the SDK transport wants both
      request.headers.set('accept', 'application/json, text/event-stream');
      res = await legacy(request, parsedBody, authInfo);
    } else {
      // a subscriptions/listen stream (the SDK's, or the tasks extension's) is a long-lived connection: it holds a
      // slot of the SSE caps until its response closes
      let release: (() => void) | undefined;
      if (opts.slots && isListen(parsedBody)) {
        const slots = opts.slots;
        const slot = await slots.reserve(toolContext.clientAddress ?? 'unknown');
        if (!slot.ok) return rpcError(ctx, 429, -32000, `subscriptions/listen refused: ${slot.message} (listen streams, SSE streams and plan_status waits share it)`, (parsedBody as { id?: unknown }).id ?? null);
        let held = true;
        release = () => {
          if (held) void slots.release(slot.holder);
          held = false;
        };
        if (ctx.res.destroyed) release();
        else ctx.res.once('close', release);
      }
      try {
        // answered ahead of the SDK, whose listen router knows no task notifications (see tasks/listen.ts); the
        // client going away aborts the signal, which ends the stream
        if (opts.taskListen && isTaskListen(parsedBody)) return await opts.taskListen(ctx, parsedBody, toolContext, abort.signal);
        res = await modern.fetch(request, { authInfo, parsedBody });
      } catch (e) {
        release?.();
        throw e;
      }
    }
    ctx.status = res.status;
    res.headers.forEach((value, key) => ctx.set(key, value));
    if (res.body && /^text\/event-stream/i.test(res.headers.get('content-type') ?? '')) {
      // a stream (progress before a result, subscriptions/listen): handed on unbuffered; its end ends the exchange
      ctx.req.socket.setNoDelay(true);
      ctx.body = Readable.fromWeb(res.body as NodeReadableStream);
      return;
    }
    ctx.res.off('close', onClose);
    // an empty answer (202 to a notification) stays '' : Koa turns a null body into a 204
    ctx.body = res.body ? Buffer.from(await res.arrayBuffer()) : '';
  }

  return { handle: mcpHttp, close: () => modern.close() };
}
