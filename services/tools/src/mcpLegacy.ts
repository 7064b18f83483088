import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  McpServer,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type ClientCapabilities,
  type JSONRPCMessage,
  type McpServerFactory,
  type RequestId,
  type Server,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/server';
import type { ClientAnswers } from './clientAnswers.ts';

/** The 2025 revisions the stateless leg serves (the contract's list; 2026-07-28 is the SDK's modern leg). */
const LEGACY_VERSIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < '2026');

interface RpcRequest {
  method?: unknown;
  params?: unknown;
}

/**
 * Whether a 2025 request is answered as an SSE stream rather than one JSON body (spec/http.md §6.1): only a
 * `tools/call` whose client takes `text/event-stream` AND that can send messages while it runs — the caller
 * passed `_meta.progressToken` (any tool may report progress against it: plan_status with wait_seconds does), or
 * the tool says it sends on its own (`notifiesDuringCall`: one that logs, or one that asks the client). Everything
 * else — curl, the contract's table, every other method — stays JSON, so a client that never asked for
 * notifications never has to parse a stream.
 */
export function answersAsStream(message: RpcRequest, accept: string, notifiesDuringCall: (tool: string) => boolean): boolean {
  if (message.method !== 'tools/call' || !/text\/event-stream/i.test(accept)) return false;
  const params = message.params as { name?: unknown; _meta?: { progressToken?: unknown } } | undefined;
  if (params?._meta?.progressToken !== undefined && params._meta.progressToken !== null) return true;
  return typeof params?.name === 'string' && notifiesDuringCall(params.name);
}

/**
 * What a 2025 client is taken to have declared when a call that asks it something streams. The stateless leg never
 * sees the client's initialize (another POST, maybe another replica, no session to keep it in), so it cannot know;
 * it assumes the client can answer, and a client that cannot answers the request with an error (the SDK clients
 * answer -32601), which the tool's result reports. A request that carries its capabilities in `_meta` (the
 * 2026-07-28 envelope key) is taken at its word instead.
 */
export const ASSUMED_CLIENT_CAPABILITIES: ClientCapabilities = { sampling: {}, elicitation: { form: {} }, roots: {} };

/**
 * Gives a fresh instance the client capabilities its handshake would have. Written into the SDK Server's private
 * field by hand because the SDK has no setter: it fills it only from an `initialize` on the same instance, which a
 * stateless instance never receives (the integration tests fail if the SDK moves it: the asking tools then refuse).
 */
function seedClientCapabilities(server: McpServer | Server, caps: ClientCapabilities): void {
  const target = (server instanceof McpServer ? server.server : server) as unknown as { _clientCapabilities?: ClientCapabilities };
  target._clientCapabilities = caps;
}

/** A call's answer routing: the replica's router and who the call's caller is. */
export interface AskingCall {
  answers: ClientAnswers;
  identity: string;
  capabilities: ClientCapabilities;
}

/**
 * The SDK transport, with the ids of the server-to-client requests it sends rewritten to wire ids the replica's
 * router knows (clientAnswers.ts): the SDK numbers them 0, 1, 2… per instance, which cannot name a call among
 * replicas. The answer comes back through `ClientAnswers.answer`, which hands it here under its original id.
 */
class AskingTransport extends WebStandardStreamableHTTPServerTransport {
  private readonly asked = new Map<RequestId, string>();

  constructor(options: WebStandardStreamableHTTPServerTransportOptions, private readonly call: AskingCall) {
    super(options);
  }

  override async send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void> {
    if (isJSONRPCRequest(message)) {
      const original = message.id;
      const wireId = this.call.answers.ask(this.call.identity, (answer) => {
        this.asked.delete(original);
        this.onmessage?.({ ...answer, id: original });
      });
      this.asked.set(original, wireId);
      return super.send({ ...message, id: wireId }, options);
    }
    // a request the SDK gives up on (timeout, the call cancelled) is cancelled under the id the client saw
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const params = message.params as { requestId?: RequestId } | undefined;
      const wireId = params?.requestId !== undefined ? this.asked.get(params.requestId) : undefined;
      if (wireId) {
        this.asked.delete(params!.requestId!);
        this.call.answers.forget(wireId);
        return super.send({ ...message, params: { ...params, requestId: wireId } }, options);
      }
    }
    return super.send(message, options);
  }

  override async close(): Promise<void> {
    for (const wireId of this.asked.values()) this.call.answers.forget(wireId);
    this.asked.clear();
    return super.close();
  }
}

/** One 2025 exchange: the Response and how to tear its instance down (called once the HTTP response is over). */
export interface LegacyExchange {
  response: Response;
  close(): void;
}

/**
 * The 2025-era leg: a fresh instance per request over the SDK's streamable HTTP transport, stateless (no session
 * id). JSON-response mode unless `stream`, then the transport's normal SSE mode: notifications the call sends
 * (progress, log messages) are events on this request's own stream, followed by the result, and the stream ends.
 * A fresh instance per request because one transport keys its exchanges by JSON-RPC id, which concurrent stateless
 * clients reuse (every client's first call is id 1). A call that may ask the client (`asking`, streamed only) sends
 * its requests under routable wire ids, and the client's answer POST reaches it through `ClientAnswers`.
 */
export async function serveLegacy(
  factory: McpServerFactory,
  request: Request,
  parsedBody: unknown,
  authInfo: AuthInfo,
  stream: boolean,
  /** The call may ask the client (only when it streams: the requests travel on the call's stream). */
  asking?: AskingCall,
): Promise<LegacyExchange> {
  const server = await factory({ era: 'legacy', authInfo, requestInfo: request });
  const options = { sessionIdGenerator: undefined, enableJsonResponse: !stream, supportedProtocolVersions: LEGACY_VERSIONS };
  const canAsk = stream && asking !== undefined;
  const transport = canAsk ? new AskingTransport(options, asking) : new WebStandardStreamableHTTPServerTransport(options);
  if (canAsk) seedClientCapabilities(server, asking.capabilities);
  await server.connect(transport);
  let closed = false;
  // closing the server closes its transport and aborts a handler still running (a client that went away mid-call)
  const close = () => {
    if (closed) return;
    closed = true;
    void server.close();
  };
  try {
    const response = await transport.handleRequest(request, { parsedBody, authInfo });
    if (!stream) close();
    return { response, close };
  } catch (err) {
    close();
    throw err;
  }
}
