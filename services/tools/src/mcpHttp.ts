import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Context } from 'koa';
import {
  classifyInboundRequest,
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  isLegacyRequest,
  type AuthInfo,
  type ClientCapabilities,
  type McpServerFactory,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import { clientGoneSignal, readJsonBody } from '@planexe/http';
import type { ConnectionSlots } from '@planexe/infra';
import { CONTEXT_KEY } from './mcpServer.ts';
import { invalidInitializeParams } from './initializeParams.ts';
import { answersAsStream, ASSUMED_CLIENT_CAPABILITIES, serveLegacy, type AskingCall } from './mcpLegacy.ts';
import { answerIdentity, isClientAnswer, type ClientAnswers } from './clientAnswers.ts';
import type { ToolContext } from './deps.ts';
import { isTaskListen, type createTaskListen } from './tasks/listen.ts';
import { asPlainCall, plainCallAnswer, type McpHeaders } from './mcpPlainCall.ts';
import { paramHeaderMismatch, type ParamHeader } from './mcpParamHeaders.ts';
import type { ToolResult } from './registry.ts';

function rpcError(ctx: Context, status: number, code: number, message: string, id: unknown = null) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { jsonrpc: '2.0', error: { code, message }, id };
}

/** A 2026-era protocol version header (the revisions without the initialize handshake). */
const MODERN_HEADER = /^\s*2026-/;
const acceptsJson = (accept: string) => !accept || /application\/json|application\/\*|\*\/\*/i.test(accept);
const isRpcMessage = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
const isListen = (v: unknown) => isRpcMessage(v) && (v as { method?: unknown }).method === 'subscriptions/listen';

/**
 * The Koa request as a fetch `Request` without a body (the SDK is handed the parsed body) and without an abort
 * signal: undici makes a signal-carrying Request several times dearer (a follow signal, a WeakRef and a finalizer
 * per request: ~50-100 µs, a quarter of an MCP exchange's CPU), and nothing needs it here. A client that goes away
 * is handled by closing the exchange's server instance instead (see `tracked`).
 */
function toWebRequest(ctx: Context): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  return new Request(`http://${ctx.host || 'localhost'}${ctx.url}`, { method: ctx.method, headers });
}

const header = (ctx: Context, name: string) => (ctx.headers[name] as string | undefined) ?? undefined;
const mcpHeadersOf = (ctx: Context): McpHeaders => ({
  protocolVersion: header(ctx, 'mcp-protocol-version'),
  method: header(ctx, 'mcp-method'),
  name: header(ctx, 'mcp-name'),
});

/** The registry behind the plain-call lane (mcpPlainCall.ts). */
export interface PlainCallLane {
  /** The tools the lane may answer: the registry's (an extension's tool may log, sample or elicit). */
  isLaneTool(name: string): boolean;
  call(name: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
  serverInfo: { name: string; version: string };
}

/** Where the modern leg's factory notes the exchange's instance (authInfo.extra, which the SDK passes to the factory). */
const INSTANCE_KEY = 'planexeExchangeInstance';

/** What the HTTP layer needs of an SDK server instance: closing it (its transport closes, running handlers abort). */
interface Closable {
  close(): Promise<void>;
}

export interface McpHttpOptions {
  maxBodyBytes: number;
  context: (ctx: Context) => ToolContext;
  /** Tools that send notifications during a call without a progressToken (log messages): their 2025 calls stream. */
  notifiesDuringCall?: (tool: string) => boolean;
  /** Tools that may ask the client (sampling, elicitation, roots) during a call: their 2025 calls stream too. */
  asksClient?: (tool: string) => boolean;
  /** Routes a 2025 client's answers to those requests back to the call (clientAnswers.ts); absent: nothing asks. */
  answers?: ClientAnswers;
  onerror?: (err: Error) => void;
  bus?: ServerEventBus;
  /** Serves a 2026-07-28 listen for task notifications (the tasks extension), which the SDK's listen router cannot. */
  taskListen?: ReturnType<typeof createTaskListen>;
  /** The `Mcp-Param-*` mirrors a tool's arguments declare (x-mcp-header), checked on its 2026-07-28 calls. */
  paramHeaders?: (tool: string) => readonly ParamHeader[];
  /** Answers plain tools/call requests without an SDK instance (mcpPlainCall.ts); absent, the SDK answers all. */
  plainCalls?: PlainCallLane;
  /** Connection caps (shared with SSE streams and plan_status waits) that a subscriptions/listen stream holds a slot of. */
  slots?: ConnectionSlots;
}

/**
 * /mcp on the SDK v2 packages, one server factory behind both legs:
 * - 2026-07-28 (a request carrying the per-request `_meta` envelope): `createMcpHandler` in strict modern mode —
 *   header/body agreement (-32020), server/discover, subscriptions/listen, removed methods (404, -32601); a call
 *   that notifies before its result is answered as a stream (the SDK's auto mode).
 * - 2025-era: a fresh instance per request over the SDK's streamable HTTP transport, stateless; JSON unless the
 *   call asked for notifications and takes a stream (mcpLegacy.ts `answersAsStream`, spec/http.md §6.1). A call
 *   of a tool that asks the client streams its requests, and the client's answer POSTs (JSON-RPC responses, on any
 *   replica) are routed back to it by request id, from its own caller only (clientAnswers.ts).
 *   `createMcpHandler`'s own legacy fallback would answer every request with SSE, which the contract's 2025 surface
 *   does not, so this leg is composed here as the SDK documents (`isLegacyRequest`).
 * This adapter moves a Koa request in and the fetch Response out: the body is read (size-capped) by our reader,
 * which the edge shares. The route table gives this handler POST, HEAD and DELETE (GET, the 2025 idle stream, is
 * the stream service's).
 */
export function createMcpHttpHandler(factory: McpServerFactory, opts: McpHttpOptions) {
  const asksClient = opts.answers ? (opts.asksClient ?? (() => false)) : () => false;
  const notifies = opts.notifiesDuringCall ?? (() => false);
  const notifiesDuringCall = (tool: string) => notifies(tool) || asksClient(tool);
  /** How a 2025 tools/call that may ask the client is served: its answers routed to its caller's POSTs only. */
  const askingCall = (message: { params?: unknown }, toolContext: ToolContext): AskingCall | undefined => {
    const params = message.params as { name?: unknown; _meta?: Record<string, unknown> } | undefined;
    if (!opts.answers || typeof params?.name !== 'string' || !asksClient(params.name)) return undefined;
    const declared = params._meta?.[CLIENT_CAPABILITIES_META_KEY];
    const capabilities = declared && typeof declared === 'object' && !Array.isArray(declared) ? (declared as ClientCapabilities) : ASSUMED_CLIENT_CAPABILITIES;
    return { answers: opts.answers, identity: answerIdentity(toolContext.caller), capabilities };
  };
  /** Notes each exchange's server instance in its authInfo, so a client that goes away mid-call closes it (cancels). */
  const tracked: McpServerFactory = async (c) => {
    const server = await factory(c);
    const slot = c.authInfo?.extra?.[INSTANCE_KEY] as { instance?: Closable } | undefined;
    if (slot) slot.instance = server;
    return server;
  };
  const modern = createMcpHandler(tracked, { legacy: 'reject', maxRequestBodySize: opts.maxBodyBytes, onerror: opts.onerror, bus: opts.bus });

  /**
   * The `Mcp-Param-*` disagreement of a 2026-07-28 tools/call, if any: checked only for a tool that declares mirrors,
   * and only on a request the SDK would otherwise take (its own refusals of a bad envelope or header come first).
   */
  const paramMismatchOf = (ctx: Context, body: unknown) => {
    const params = (body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } }).params;
    if ((body as { method?: unknown }).method !== 'tools/call' || typeof params?.name !== 'string') return undefined;
    const declared = opts.paramHeaders?.(params.name) ?? [];
    if (declared.length === 0) return undefined;
    const h = mcpHeadersOf(ctx);
    const route = classifyInboundRequest({ httpMethod: 'POST', protocolVersionHeader: h.protocolVersion, mcpMethodHeader: h.method, mcpNameHeader: h.name, body });
    if (route.kind !== 'modern') return undefined;
    return paramHeaderMismatch(declared, params.arguments, (name) => header(ctx, name));
  };

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
    const lane = opts.plainCalls;
    const plain = lane && acceptsJson(ctx.get('accept')) ? asPlainCall(parsedBody, mcpHeadersOf(ctx), lane.isLaneTool) : undefined;
    if (lane && plain) {
      const left = clientGoneSignal(ctx.res);
      ctx.status = 200;
      ctx.set('content-type', 'application/json');
      try {
        ctx.body = plainCallAnswer(plain, await lane.call(plain.name, plain.args, { ...opts.context(ctx), signal: left.signal }), lane.serverInfo);
      } catch (err) {
        // the registry answers every failure as a tool error; should that ever break, the caller still gets JSON-RPC
        opts.onerror?.(err instanceof Error ? err : new Error(String(err)));
        ctx.body = { jsonrpc: '2.0', id: plain.id, error: { code: -32603, message: 'Internal error' } };
      } finally {
        left.release();
      }
      return;
    }

    const slot: { instance?: Closable } = {};
    const toolContext = opts.context(ctx);
    // a client's answer to a request a 2025 call sent it: routed by its id to that call, whichever replica holds
    // it, if this caller made the call; 202 whatever became of it (spec/http.md §6.1)
    // (never under a 2026-07-28 header: that revision has no posted responses, so the body cannot be what the
    // header says it is; refused as the SDK's modern endpoint refuses one)
    if (isClientAnswer(parsedBody) && MODERN_HEADER.test(ctx.get('mcp-protocol-version'))) {
      return rpcError(ctx, 400, -32600, 'Bad Request: JSON-RPC responses cannot be posted on protocol revision 2026-07-28', parsedBody.id);
    }
    if (opts.answers && isClientAnswer(parsedBody)) {
      const outcome = await opts.answers.answer(parsedBody, answerIdentity(toolContext.caller));
      // another caller answering a call's request: dropped, noted (without the id) for whoever watches the logs
      if (outcome === 'not-yours') opts.onerror?.(new Error(`client answer dropped: the answering caller (${toolContext.caller.kind}) did not make the call`));
      ctx.status = 202;
      ctx.body = '';
      return;
    }
    const authInfo: AuthInfo = { token: '', clientId: 'planexe', scopes: [], extra: { [CONTEXT_KEY]: toolContext, [INSTANCE_KEY]: slot } };
    // ends the tasks extension's listen stream (answered by us, not by an SDK instance) when the client goes away
    const gone = new AbortController();
    const request = toWebRequest(ctx);
    // the end of the exchange, however it ends: a client gone before the answer was written cancels the call
    let teardown: (() => void) | undefined;
    const onClose = () => {
      teardown?.();
      if (!ctx.res.writableFinished) {
        gone.abort();
        void slot.instance?.close();
      }
    };
    ctx.res.once('close', onClose);
    let res: Response;
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: opts.maxBodyBytes })) {
      if (!isRpcMessage(parsedBody)) {
        return rpcError(ctx, 400, -32602, 'Validation error: body must be one JSON-RPC 2.0 message (batches are not supported)');
      }
      const accept = ctx.get('accept');
      if (!acceptsJson(accept)) {
        return rpcError(ctx, 406, -32600, 'Not Acceptable: Client must accept application/json', 'server-error');
      }
      const message = parsedBody as { id?: unknown; method?: unknown; params?: unknown };
      const badInit = message.id !== undefined ? invalidInitializeParams(message) : undefined;
      if (badInit) return rpcError(ctx, 200, -32602, badInit, message.id);
      // the 2025 surface answers JSON to any client that takes it (curl sends no Accept); the SDK transport wants both
      request.headers.set('accept', 'application/json, text/event-stream');
      const stream = answersAsStream(message, accept, notifiesDuringCall);
      const asking = stream && message.method === 'tools/call' ? askingCall(message, toolContext) : undefined;
      const exchange = await serveLegacy(factory, request, parsedBody, authInfo, stream, asking);
      teardown = exchange.close;
      res = exchange.response;
    } else {
      // a subscriptions/listen stream (the SDK's, or the tasks extension's) is a long-lived connection: it holds a
      // slot of the SSE caps until its response closes
      let release: (() => void) | undefined;
      if (opts.slots && isListen(parsedBody)) {
        const slots = opts.slots;
        const held = await slots.reserve(toolContext.clientAddress ?? 'unknown');
        if (!held.ok) return rpcError(ctx, 429, -32000, `subscriptions/listen refused: ${held.message} (listen streams, SSE streams and plan_status waits share it)`, (parsedBody as { id?: unknown }).id ?? null);
        let holding = true;
        release = () => {
          if (holding) void slots.release(held.holder);
          holding = false;
        };
        if (ctx.res.destroyed) release();
        else ctx.res.once('close', release);
      }
      try {
        // answered ahead of the SDK, whose listen router knows no task notifications (see tasks/listen.ts); the
        // client going away aborts the signal, which ends the stream
        if (opts.taskListen && isTaskListen(parsedBody)) return await opts.taskListen(ctx, parsedBody, toolContext, gone.signal);
        const mismatch = paramMismatchOf(ctx, parsedBody);
        if (mismatch) {
          release?.();
          ctx.status = 400;
          ctx.type = 'application/json';
          ctx.body = {
            jsonrpc: '2.0',
            id: (parsedBody as { id?: unknown }).id ?? null,
            error: { code: -32020, message: `Bad Request: the request headers and body disagree: ${mismatch.message}`, data: { mismatch: { header: mismatch.header, body: mismatch.message } } },
          };
          return;
        }
        res = await modern.fetch(request, { authInfo, parsedBody });
      } catch (e) {
        release?.();
        throw e;
      }
    }
    ctx.status = res.status;
    res.headers.forEach((value, key) => ctx.set(key, value));
    if (res.body && /^text\/event-stream/i.test(res.headers.get('content-type') ?? '')) {
      // a stream (notifications before a result, subscriptions/listen): handed on unbuffered; its end ends the exchange
      ctx.req.socket.setNoDelay(true);
      ctx.body = Readable.fromWeb(res.body as NodeReadableStream);
      return;
    }
    ctx.res.off('close', onClose);
    teardown?.();
    // an empty answer (202 to a notification) stays '' : Koa turns a null body into a 204
    ctx.body = res.body ? Buffer.from(await res.arrayBuffer()) : '';
  }

  return { handle: mcpHttp, close: () => modern.close() };
}
