import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { anonymousCaller, type Caller } from '@planexe/auth';
import { parseUuid, REPORT_CSP, SERVER_NAME, SERVER_VERSION } from '@planexe/contracts';
import { getPlan } from '@planexe/db';
import { clientIpOf, createInternalApp, matchedRoute, requestBaseUrl, sendError } from '@planexe/http';
import type { ConnectionSlots } from '@planexe/infra';
import type { ToolContext, ToolDeps } from './deps.ts';
import { ToolRegistry } from './registry.ts';
import { createMcpServerFactory } from './mcpServer.ts';
import type { SurfaceExtension } from './surface.ts';
import { createMcpHttpHandler } from './mcpHttp.ts';
import { paramHeadersOf } from './mcpParamHeaders.ts';
import { ClientAnswers } from './clientAnswers.ts';
import { createTasks } from './tasks/index.ts';
import { createTaskListen } from './tasks/listen.ts';
import { createToolCallHandler, createToolListHandler } from './restBridge.ts';
import { reportBytes, zipBytes } from '@planexe/artifact-sources';

export interface ToolsOptions {
  maxBodyBytes: number;
  downloadTokenTtlSeconds: number;
  /** How a request's caller is known: the edge's auth (ctx.state.caller) in every run mode. */
  callerOf?: (ctx: Context) => Caller;
  /** MCP-only additions (the conformance fixtures), served beside the contract's tools. */
  extensions?: SurfaceExtension[];
  /** The connection caps (shared with SSE streams) that subscriptions/listen streams count against. */
  slots?: ConnectionSlots;
  /** false: every /mcp request goes through the SDK (the plain-call lane's differential test compares the two). */
  plainCallLane?: boolean;
  /** This replica's id in the wire ids of its server-to-client requests (12 hex digits; default random). */
  replicaId?: string;
}

export interface ToolsService {
  middleware: Middleware;
  registry: ToolRegistry;
  /** Routes 2025 clients' answers to server-to-client requests (spec/http.md §6.1); absent when no tool asks. */
  answers?: ClientAnswers;
  close(): Promise<void>;
}

const stateCaller = (ctx: Context): Caller => (ctx.state as { caller?: Caller }).caller ?? anonymousCaller();

/** The tools service's routes: MCP Streamable HTTP, the REST bridge, and the public example-plan files. */
export async function createToolsService(deps: ToolDeps, opts: ToolsOptions): Promise<ToolsService> {
  const registry = new ToolRegistry(deps, { downloadTokenTtlSeconds: opts.downloadTokenTtlSeconds });
  for (const e of opts.extensions ?? []) registry.extend(e);
  const callerOf = opts.callerOf ?? stateCaller;
  const context = (ctx: Context): ToolContext => ({
    caller: callerOf(ctx),
    surface: matchedRoute(ctx)?.route.id === 'mcp_tools_call' ? 'rest' : 'http',
    baseUrl: requestBaseUrl(ctx, deps.settings.publicBaseUrl),
    clientAddress: clientIpOf(ctx),
  });

  const tasks = createTasks(registry);
  const onerror = (err: Error) => deps.log.debug({ err: err.message }, 'mcp request refused or failed');
  const extraTools = registry.extensions.flatMap((e) => e.tools ?? []);
  const extensionTools = new Set(extraTools.map((t) => t.definition.name));
  const notifying = new Set(extraTools.filter((t) => t.notifiesDuringCall).map((t) => t.definition.name));
  const asking = new Set(extraTools.filter((t) => t.asksClient).map((t) => t.definition.name));
  // the Mcp-Param-* mirrors each tool declares (x-mcp-header), checked on its 2026-07-28 calls
  const listedTools = [...registry.listed, ...extraTools.map((t) => t.definition)] as { name: string; inputSchema?: unknown }[];
  const mirrors = new Map(listedTools.map((t) => [t.name, paramHeadersOf(t.inputSchema)] as const).filter(([, d]) => d.length > 0));
  // a 2025 client's answers to what a call asked it, routed by id across the replicas (the progress bus carries them);
  // only where a tool asks the client (the conformance fixtures): our own tools never do, and an answer POST to a
  // surface that asks nothing is then the SDK's to accept and drop, with no relay for a stranger to feed
  const answers = asking.size > 0 ? new ClientAnswers(deps.bus, opts.replicaId) : undefined;
  await answers?.start();
  const mcp = createMcpHttpHandler(createMcpServerFactory(registry, { surface: 'http', tasks }), {
    maxBodyBytes: opts.maxBodyBytes,
    context,
    notifiesDuringCall: (tool) => notifying.has(tool),
    asksClient: (tool) => asking.has(tool),
    answers,
    bus: opts.extensions?.find((e) => e.bus)?.bus,
    slots: opts.slots,
    onerror,
    taskListen: createTaskListen(tasks.router, { onerror }),
    paramHeaders: (tool) => mirrors.get(tool) ?? [],
    plainCalls: opts.plainCallLane === false ? undefined : {
      isLaneTool: (name) => !extensionTools.has(name) && !mirrors.has(name),
      call: (name, args, ctx) => registry.call(name, args, ctx),
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    },
  });
  const listTools = createToolListHandler(registry);
  const callTool = createToolCallHandler(registry, { maxBodyBytes: opts.maxBodyBytes, context });
  const notFound = (ctx: Context) => sendError(ctx, 404, 'NOT_FOUND', 'Example not found');
  const example = async (ctx: Context, params: Record<string, string>) => {
    const id = parseUuid(params.plan_id);
    const row = id ? await getPlan(deps.db, id, undefined) : undefined;
    const file = params.file;
    if (!row || !row.is_example || row.state !== 'completed' || (file !== 'report.html' && file !== 'run.zip')) return notFound(ctx);
    const art = file === 'report.html' ? await reportBytes(deps.db, row.id) : await zipBytes(deps.db, row.id);
    if (!art) return notFound(ctx);
    ctx.type = file === 'report.html' ? 'text/html; charset=utf-8' : 'application/zip';
    ctx.set('Content-Disposition', file === 'report.html' ? 'inline; filename="report.html"' : `attachment; filename="${row.id}.zip"`);
    // the same confinement as /download's report: an opaque origin, never framed, never sniffed
    if (file === 'report.html') ctx.set('Content-Security-Policy', REPORT_CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = Buffer.from(art.bytes);
  };
  // the route was matched once (by the edge, or by ownRoutesOnly in the tools process): dispatch on its id
  const middleware: Middleware = async (ctx, next) => {
    const m = matchedRoute(ctx);
    switch (m?.route.id) {
      case 'mcp':
        return mcp.handle(ctx);
      case 'mcp_tools':
        return listTools(ctx);
      case 'mcp_tools_call':
        return callTool(ctx);
      case 'example_file':
        return example(ctx, m.params);
      default:
        return next();
    }
  };

  return {
    middleware,
    registry,
    answers,
    close: async () => {
      await mcp.close();
      await answers?.close();
    },
  };
}

export interface ToolsAppOptions {
  /** PLANEXE_INTERNAL_SECRET: the only requests served are the gateway's, which carry it. Required. */
  internalSecret: string;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Readiness for /readyz (false while starting or shutting down). Default: always ready. */
  ready?: () => boolean;
  /** Outermost middleware (e.g. tracing). */
  before?: Middleware[];
}

/**
 * The tools service as its own Koa app (distributed mode, behind the gateway). Every request must carry the
 * internal secret; only then is the caller the gateway forwards (x-planexe-caller) trusted, so reaching this
 * service directly gets nothing the gateway would have refused. The probes stay open for the orchestrator.
 */
export function createToolsApp(service: ToolsService, opts: ToolsAppOptions): Koa {
  return createInternalApp({ service: 'planexe-tools', owner: 'tools', ...opts }, service.middleware);
}
