import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  mergeCapabilities,
  Server,
  type CacheHint,
  type McpServerFactory,
  type ServerCapabilities,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { MCP_PROMPTS, SERVER_INSTRUCTIONS, SERVER_NAME, SERVER_VERSION, STDIO_SERVER_NAME } from '@planexe/contracts';
import type { ToolRegistry } from './registry.ts';
import type { ToolContext } from './deps.ts';
import type { SurfacePrompt, SurfaceResource, SurfaceTemplate, SurfaceTool } from './surface.ts';

/** Key under which the HTTP layer passes the per-request ToolContext through the SDK's authInfo. */
export const CONTEXT_KEY = 'planexeToolContext';

export interface McpServerOptions {
  surface: 'http' | 'stdio';
  /** Context for requests that carry none (stdio). */
  defaultContext?: () => ToolContext;
}

/**
 * Our lists change only with a deploy and are the same for every caller, so a 2026-07-28 client may keep them (and
 * the discover result) for an hour and share them. An extension (the conformance fixtures) can change its lists at
 * run time, so with one registered nothing is cached, unless it says its lists are stable (the plan view).
 */
const DEPLOY_STABLE: CacheHint = { ttlMs: 3_600_000, cacheScope: 'public' };
const LIST_METHODS = ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'server/discover'] as const;

const contractPrompts: SurfacePrompt[] = MCP_PROMPTS.map((p) => ({
  definition: { name: p.name, description: p.description, arguments: p.arguments },
  get: async (args) => {
    for (const a of p.arguments) {
      if (a.required && !args[a.name]) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Missing required argument: ${a.name}`);
    }
    return { description: p.description, messages: [{ role: 'user', content: { type: 'text', text: p.render(args) } }] };
  },
}));

function toolContextOf(ctx: ServerContext, fallback?: () => ToolContext): ToolContext {
  const fromHttp = ctx.http?.authInfo?.extra?.[CONTEXT_KEY] as ToolContext | undefined;
  const tc = fromHttp ?? fallback?.();
  if (!tc) throw new ProtocolError(ProtocolErrorCode.InternalError, 'missing request context');
  return tc;
}

/**
 * The server factory both SDK v2 entries (createMcpHandler over HTTP, serveStdio) call: per HTTP request, or once
 * per stdio connection. Everything a request does not change (listings, capabilities, lookup maps) is computed here
 * once, so an instance is a handful of handler registrations over shared data.
 */
export function createMcpServerFactory(registry: ToolRegistry, opts: McpServerOptions): McpServerFactory {
  const ext = registry.extensions;
  const extraTools = new Map<string, SurfaceTool>(ext.flatMap((e) => e.tools ?? []).map((t) => [t.definition.name, t]));
  const prompts: SurfacePrompt[] = [...(opts.surface === 'http' ? contractPrompts : []), ...ext.flatMap((e) => e.prompts ?? [])];
  const promptByName = new Map(prompts.map((p) => [p.definition.name, p]));
  const resources: SurfaceResource[] = ext.flatMap((e) => e.resources ?? []);
  const resourceByUri = new Map(resources.map((r) => [r.definition.uri, r]));
  const templates: SurfaceTemplate[] = ext.flatMap((e) => e.templates ?? []);
  const completers = ext.flatMap((e) => (e.complete ? [e.complete.bind(e)] : []));

  // the contract's schemas are object schemas (libs/contracts builds them), which is all Tool asks of them
  const toolList: Tool[] = [...(registry.listed as unknown as Tool[]), ...[...extraTools.values()].map((t) => t.definition)];
  const promptList = prompts.map((p) => p.definition);
  const resourceList = resources.map((r) => r.definition);
  const templateList = templates.map((t) => t.definition);

  let capabilities: ServerCapabilities = {
    tools: { listChanged: false },
    ...(prompts.length || opts.surface === 'http' ? { prompts: { listChanged: false } } : {}),
    resources: { subscribe: false, listChanged: false },
    experimental: {},
  };
  for (const e of ext) capabilities = mergeCapabilities(capabilities, e.capabilities ?? {});
  const cacheHints = ext.some((e) => !e.stableLists) ? undefined : Object.fromEntries(LIST_METHODS.map((m) => [m, DEPLOY_STABLE]));
  const requestState = ext.find((e) => e.requestState)?.requestState;
  const info = { name: opts.surface === 'http' ? SERVER_NAME : STDIO_SERVER_NAME, version: SERVER_VERSION };

  return () => {
    const server = new Server(info, { capabilities, instructions: SERVER_INSTRUCTIONS, cacheHints, requestState });
    // fresh wrappers: the SDK stamps 2026-era fields on the result object it is given
    server.setRequestHandler('tools/list', async () => ({ tools: toolList }));
    server.setRequestHandler('tools/call', async (req, ctx) => {
      const extra = extraTools.get(req.params.name);
      if (extra) return (await extra.call(req.params.arguments ?? {}, ctx)) as never;
      return registry.call(req.params.name, req.params.arguments ?? {}, toolContextOf(ctx, opts.defaultContext));
    });
    server.setRequestHandler('resources/list', async () => ({ resources: resourceList }));
    server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: templateList }));
    server.setRequestHandler('resources/read', async (req, ctx) => {
      const uri = req.params.uri;
      const r = resourceByUri.get(uri);
      if (r) return (await r.read(uri, ctx)) as never;
      for (const t of templates) {
        const vars = t.match(uri);
        if (vars) return (await t.read(uri, vars, ctx, () => toolContextOf(ctx, opts.defaultContext))) as never;
      }
      throw new ResourceNotFoundError(uri);
    });
    if (capabilities.resources?.subscribe) {
      // 2025-era subscriptions: accepted; updates flow on subscriptions/listen streams (2026) only
      server.setRequestHandler('resources/subscribe', async () => ({}));
      server.setRequestHandler('resources/unsubscribe', async () => ({}));
    }
    if (capabilities.prompts) {
      server.setRequestHandler('prompts/list', async () => ({ prompts: promptList }));
      server.setRequestHandler('prompts/get', async (req, ctx) => {
        const p = promptByName.get(req.params.name);
        if (!p) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}`);
        return (await p.get(req.params.arguments ?? {}, ctx)) as never;
      });
    }
    if (capabilities.completions && completers.length) {
      server.setRequestHandler('completion/complete', async (req, ctx) => (await completers[0](req.params, ctx)) as never);
    }
    return server;
  };
}
