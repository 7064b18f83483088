import {
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpServerFactory,
} from '@modelcontextprotocol/server';

/** The 2025 revisions the stateless leg serves (the contract's list; 2026-07-28 is the SDK's modern leg). */
const LEGACY_VERSIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < '2026');

interface RpcRequest {
  method?: unknown;
  params?: unknown;
}

/**
 * Whether a 2025 request is answered as an SSE stream rather than one JSON body (spec/http.md §6.1): only a
 * `tools/call` whose client takes `text/event-stream` AND that can send notifications while it runs — the caller
 * passed `_meta.progressToken` (any tool may report progress against it: plan_status with wait_seconds does), or
 * the tool says it notifies on its own (`notifiesDuringCall`, e.g. one that logs). Everything else — curl, the
 * contract's table, every other method — stays JSON, so a client that never asked for notifications never has to
 * parse a stream.
 */
export function answersAsStream(message: RpcRequest, accept: string, notifiesDuringCall: (tool: string) => boolean): boolean {
  if (message.method !== 'tools/call' || !/text\/event-stream/i.test(accept)) return false;
  const params = message.params as { name?: unknown; _meta?: { progressToken?: unknown } } | undefined;
  if (params?._meta?.progressToken !== undefined && params._meta.progressToken !== null) return true;
  return typeof params?.name === 'string' && notifiesDuringCall(params.name);
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
 * clients reuse (every client's first call is id 1).
 */
export async function serveLegacy(
  factory: McpServerFactory,
  request: Request,
  parsedBody: unknown,
  authInfo: AuthInfo,
  stream: boolean,
): Promise<LegacyExchange> {
  const server = await factory({ era: 'legacy', authInfo, requestInfo: request });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !stream,
    supportedProtocolVersions: LEGACY_VERSIONS,
  });
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
