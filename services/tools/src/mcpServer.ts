import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { MCP_PROMPTS, SERVER_INSTRUCTIONS, SERVER_NAME, SERVER_VERSION, STDIO_SERVER_NAME } from '@planexe/contracts';
import type { ToolRegistry } from './registry.ts';
import type { ToolContext } from './deps.ts';

/** Key under which the HTTP layer passes the per-request ToolContext through the SDK's authInfo. */
export const CONTEXT_KEY = 'planexeToolContext';

export interface McpServerOptions {
  surface: 'http' | 'stdio';
  /** Context for requests that carry none (stdio). */
  defaultContext?: () => ToolContext;
}

/**
 * One low-level SDK Server for the whole process: tool, prompt and resource listings are precomputed and each
 * call reads its caller from the request's context, so no per-request server or transport is built.
 */
export function createMcpServer(registry: ToolRegistry, opts: McpServerOptions): Server {
  const server = new Server(
    { name: opts.surface === 'http' ? SERVER_NAME : STDIO_SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: {
        tools: { listChanged: false },
        ...(opts.surface === 'http' ? { prompts: { listChanged: false } } : {}),
        resources: { subscribe: false, listChanged: false },
        experimental: {},
      },
      instructions: SERVER_INSTRUCTIONS,
    },
  );
  const tools = { tools: registry.listed };
  server.setRequestHandler(ListToolsRequestSchema, async () => tools);
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const ctx = (extra.authInfo?.extra?.[CONTEXT_KEY] as ToolContext | undefined) ?? opts.defaultContext?.();
    if (!ctx) throw new McpError(ErrorCode.InternalError, 'missing request context');
    return registry.call(req.params.name, req.params.arguments ?? {}, ctx);
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }));
  if (opts.surface === 'http') {
    const prompts = {
      prompts: MCP_PROMPTS.map((p) => ({ name: p.name, description: p.description, arguments: p.arguments })),
    };
    server.setRequestHandler(ListPromptsRequestSchema, async () => prompts);
    server.setRequestHandler(GetPromptRequestSchema, async (req) => {
      const p = MCP_PROMPTS.find((x) => x.name === req.params.name);
      if (!p) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}`);
      const args = req.params.arguments ?? {};
      for (const a of p.arguments) {
        if (a.required && !args[a.name]) throw new McpError(ErrorCode.InvalidParams, `Missing required argument: ${a.name}`);
      }
      return {
        description: p.description,
        messages: [{ role: 'user' as const, content: { type: 'text' as const, text: p.render(args) } }],
      };
    });
  }
  return server;
}
