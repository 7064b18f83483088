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
import { MCP_PROMPTS, parsePlanResourceUri, SERVER_INSTRUCTIONS, SERVER_NAME, SERVER_VERSION, STDIO_SERVER_NAME } from '@planexe/contracts';
import { isDependencyDown } from '@planexe/infra';
import type { ToolRegistry } from './registry.ts';
import type { ToolContext } from './deps.ts';
import type { SurfacePrompt, SurfaceResource, SurfaceTemplate, SurfaceTool } from './surface.ts';
import { PlanResources, planResourceTemplates } from './planResources.ts';
import { createTasks, type Tasks } from './tasks/index.ts';
import { registerTaskMethods } from './tasks/methods.ts';
import { PLAN_TASK_TOOLS } from './tasks/planTasks.ts';
import { declaresTasks, missingTasksCapability, TASKS_EXTENSION } from './tasks/wire.ts';

/** Key under which the HTTP layer passes the per-request ToolContext through the SDK's authInfo. */
export const CONTEXT_KEY = 'planexeToolContext';

export interface McpServerOptions {
  surface: 'http' | 'stdio';
  /** Context for requests that carry none (stdio). */
  defaultContext?: () => ToolContext;
  /** The tasks extension's backends (shared with the HTTP listen streams); default: built for this registry. */
  tasks?: Tasks;
}

/**
 * Our tool, prompt and template lists change only with a deploy and are the same for every caller, so a 2026-07-28
 * client may keep them (and the discover result) for an hour and share them. An extension (the conformance
 * fixtures) can change its lists at run time, so with one registered they are not cached, unless it says its lists
 * are stable (the plan view). resources/list and resources/read answer with the caller's own plans, which change as
 * they run: never cached, never shared.
 */
const DEPLOY_STABLE: CacheHint = { ttlMs: 3_600_000, cacheScope: 'public' };
const PER_CALLER: CacheHint = { ttlMs: 0, cacheScope: 'private' };
const STABLE_METHODS = ['tools/list', 'prompts/list', 'resources/templates/list', 'server/discover'] as const;

/** A failure that is not a protocol error becomes one without its message (which may name internals). */
function asProtocolError(err: unknown, log: { warn(o: object, m: string): void; error(o: object, m: string): void }, method: string): never {
  if (err instanceof ProtocolError) throw err;
  const message = err instanceof Error ? err.message : String(err);
  if (isDependencyDown(err)) {
    log.warn({ method, err: message }, 'resource request during a dependency outage');
    throw new ProtocolError(ProtocolErrorCode.InternalError, 'the service is temporarily unavailable, retry shortly');
  }
  log.error({ method, err: message }, 'resource request failed');
  throw new ProtocolError(ProtocolErrorCode.InternalError, 'internal error');
}

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
 * What a tool call adds to its ToolContext: an abort signal (the caller cancelled, or its HTTP request closed) and,
 * when the caller passed a progressToken, a way to send it `notifications/progress` through the SDK (which answers
 * with SSE once a request sends notifications).
 */
function callContext(base: ToolContext, ctx: ServerContext): ToolContext {
  const signals = [ctx.mcpReq.signal, ctx.http?.req?.signal, base.signal].filter((s): s is AbortSignal => !!s);
  const token = ctx.mcpReq._meta?.progressToken;
  const progress: ToolContext['progress'] =
    token === undefined ? undefined : (p) => ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, ...p } });
  return { ...base, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0], progress };
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
  const templateList = [...planResourceTemplates, ...templates.map((t) => t.definition)];
  const plans = new PlanResources(registry.deps);
  const log = registry.deps.log;
  // the tasks extension: plans are tasks on every surface the registry serves; extensions may add their own
  const { plans: planTasks, router: tasks } = opts.tasks ?? createTasks(registry);

  let capabilities: ServerCapabilities = {
    tools: { listChanged: false },
    ...(prompts.length || opts.surface === 'http' ? { prompts: { listChanged: false } } : {}),
    resources: { subscribe: false, listChanged: false },
    experimental: {},
  };
  for (const e of ext) capabilities = mergeCapabilities(capabilities, e.capabilities ?? {});
  // the tasks extension is a 2026-07-28 one: advertised to modern requests only, so a 2025 client's initialize
  // result is what it was (the SDK's capability type does not know `extensions` yet; discover carries it as given)
  const modernCapabilities = { ...capabilities, extensions: { [TASKS_EXTENSION]: {} } } as ServerCapabilities;
  const cacheHints = {
    ...(ext.some((e) => !e.stableLists) ? {} : Object.fromEntries(STABLE_METHODS.map((m) => [m, DEPLOY_STABLE]))),
    'resources/list': PER_CALLER,
    'resources/read': PER_CALLER,
  };
  const requestState = ext.find((e) => e.requestState)?.requestState;
  const info = { name: opts.surface === 'http' ? SERVER_NAME : STDIO_SERVER_NAME, version: SERVER_VERSION };

  return (ctx) => {
    const server = new Server(info, { capabilities: ctx?.era === 'legacy' ? capabilities : modernCapabilities, instructions: SERVER_INSTRUCTIONS, cacheHints, requestState });
    // fresh wrappers: the SDK stamps 2026-era fields on the result object it is given
    server.setRequestHandler('tools/list', async () => ({ tools: toolList }));
    server.setRequestHandler('tools/call', async (req, ctx) => {
      const extra = extraTools.get(req.params.name);
      if (extra) {
        if (extra.taskSupport === 'required' && !declaresTasks(ctx)) throw missingTasksCapability();
        return (await extra.call(req.params.arguments ?? {}, ctx)) as never;
      }
      const tc = toolContextOf(ctx, opts.defaultContext);
      // a client that declared the tasks extension gets the plan's attempt as a task; any other sees today's tools
      if (PLAN_TASK_TOOLS.has(req.params.name) && declaresTasks(ctx)) return (await planTasks.start(req.params.name, req.params.arguments ?? {}, tc)) as never;
      return registry.call(req.params.name, req.params.arguments ?? {}, callContext(tc, ctx));
    });
    registerTaskMethods(server, tasks, (ctx) => toolContextOf(ctx, opts.defaultContext));
    server.setRequestHandler('resources/list', async (req, ctx) => {
      const cursor = req.params?.cursor;
      // the extension's static resources lead the first page; the caller's plans page after them
      const page = await plans.list(toolContextOf(ctx, opts.defaultContext), cursor).catch((e) => asProtocolError(e, log, 'resources/list'));
      return { ...page, resources: cursor === undefined ? [...resourceList, ...page.resources] : page.resources };
    });
    server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: templateList }));
    server.setRequestHandler('resources/read', async (req, ctx) => {
      const uri = req.params.uri;
      const r = resourceByUri.get(uri);
      if (r) return (await r.read(uri, ctx)) as never;
      const plan = parsePlanResourceUri(uri);
      if (plan) {
        const tc = toolContextOf(ctx, opts.defaultContext);
        return (await plans.read(tc, uri, plan.planId, plan.file).catch((e) => asProtocolError(e, log, 'resources/read'))) as never;
      }
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
