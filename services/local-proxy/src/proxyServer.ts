import { ProtocolError, ProtocolErrorCode, Server, type McpServerFactory, type Tool } from '@modelcontextprotocol/server';
import catalog from './cloudCatalog.json' with { type: 'json' };
import { JsonRpcError, RemoteError, type CloudClient } from './cloudClient.ts';
import { planDownload } from './planDownload.ts';

export const LOCAL_SERVER_NAME = 'planexe-mcp-local';

export interface ProxyOptions {
  client: CloudClient;
  planexePath?: string;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  /** Smallest gap between two progress notifications (ms). */
  progressEveryMs?: number;
}

const result = (payload: Record<string, unknown>, isError: boolean) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(payload) }],
  structuredContent: payload,
  isError,
});

/**
 * The stdio MCP server: the cloud's tools (plan_file_info replaced by plan_download) forwarded to the PlanExe
 * server, and plan_download run here. Tool errors are results (isError), never JSON-RPC errors. A factory, as the
 * SDK v2 stdio entry (serveStdio) wants: it pins one instance per connection, 2025-era or 2026-07-28 by the
 * client's opening message.
 */
export function createProxyServerFactory(o: ProxyOptions): McpServerFactory {
  const tools = catalog.tools as unknown as Tool[];
  const names = new Set(catalog.tools.map((t) => t.name));
  return () => {
    const server = new Server(
      { name: LOCAL_SERVER_NAME, version: catalog.serverVersion },
      { capabilities: { tools: { listChanged: false }, resources: { subscribe: false, listChanged: false } }, instructions: catalog.instructions },
    );
    registerHandlers(server, o, tools, names);
    return server;
  };
}

function registerHandlers(server: Server, o: ProxyOptions, tools: Tool[], names: Set<string>): void {
  server.setRequestHandler('tools/list', async () => ({ tools }));
  // the cloud's plan resources (spec/tools.md §12.3), forwarded as they are: the cloud scopes them to the key
  const forward = async (method: string, params: Record<string, unknown>) => {
    try {
      return (await o.client.rpc(method, params)) as never;
    } catch (e) {
      if (e instanceof JsonRpcError) throw new ProtocolError(e.code, e.message, e.data);
      const message = e instanceof Error ? e.message : String(e);
      o.log('warn', 'remote call failed', { method, err: message });
      throw new ProtocolError(ProtocolErrorCode.InternalError, message);
    }
  };
  server.setRequestHandler('resources/list', async (req) => forward('resources/list', req.params?.cursor === undefined ? {} : { cursor: req.params.cursor }));
  server.setRequestHandler('resources/templates/list', async (req) =>
    forward('resources/templates/list', req.params?.cursor === undefined ? {} : { cursor: req.params.cursor }),
  );
  server.setRequestHandler('resources/read', async (req) => forward('resources/read', { uri: req.params.uri }));
  server.setRequestHandler('tools/call', async (req, ctx) => {
    const { name } = req.params;
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    if (!names.has(name)) return result({ error: { code: 'INVALID_TOOL', message: `Unknown tool: ${name}` } }, true);
    if (name === 'plan_download') {
      const token = req.params._meta?.progressToken;
      let last = 0;
      const onProgress =
        token === undefined
          ? undefined
          : (received: number, total: number | undefined) => {
              const now = Date.now();
              if (received !== 0 && received !== total && now - last < (o.progressEveryMs ?? 200)) return;
              last = now;
              const message = total ? `${Math.floor((100 * received) / total)}% of ${total} bytes` : `${received} bytes`;
              void ctx.mcpReq
                .notify({ method: 'notifications/progress', params: { progressToken: token, progress: received, ...(total ? { total } : {}), message } })
                .catch(() => {});
            };
      const r = await planDownload(args, { client: o.client, planexePath: o.planexePath, onProgress, log: o.log });
      return result(r.payload, r.isError);
    }
    try {
      const r = await o.client.callTool(name, args);
      return result(r.payload, r.isError);
    } catch (e) {
      const message = e instanceof RemoteError ? e.message : e instanceof Error ? e.message : String(e);
      o.log('warn', 'remote call failed', { tool: name, err: message });
      return result({ error: { code: 'REMOTE_ERROR', message } }, true);
    }
  });
}
