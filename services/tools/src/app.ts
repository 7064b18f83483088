import Koa, { type Context, type Middleware } from 'koa';
import Router from '@koa/router';
import compose from 'koa-compose';
import { anonymousCaller, type Caller } from '@planexe/auth';
import { parseUuid } from '@planexe/contracts';
import { getPlan } from '@planexe/db';
import { errorBoundary, requestBaseUrl, trustGateway } from '@planexe/http';
import type { ToolContext, ToolDeps } from './deps.ts';
import { ToolRegistry } from './registry.ts';
import { createMcpServer } from './mcpServer.ts';
import { MultiplexTransport } from './multiplexTransport.ts';
import { createMcpHttpHandler } from './mcpHttp.ts';
import { createToolCallHandler, createToolListHandler } from './restBridge.ts';
import { reportBytes, zipBytes } from '@planexe/artifact-sources';

export interface ToolsOptions {
  maxBodyBytes: number;
  downloadTokenTtlSeconds: number;
  /** How a request's caller is known: the edge's auth (ctx.state.caller) in every run mode. */
  callerOf?: (ctx: Context) => Caller;
}

export interface ToolsService {
  middleware: Middleware;
  registry: ToolRegistry;
  close(): Promise<void>;
}

const stateCaller = (ctx: Context): Caller => (ctx.state as { caller?: Caller }).caller ?? anonymousCaller();

/** The tools service's routes: MCP Streamable HTTP, the REST bridge, and the public example-plan files. */
export async function createToolsService(deps: ToolDeps, opts: ToolsOptions): Promise<ToolsService> {
  const registry = new ToolRegistry(deps, { downloadTokenTtlSeconds: opts.downloadTokenTtlSeconds });
  const server = createMcpServer(registry, { surface: 'http' });
  const transport = new MultiplexTransport();
  await server.connect(transport);
  const callerOf = opts.callerOf ?? stateCaller;
  const context = (ctx: Context): ToolContext => ({
    caller: callerOf(ctx),
    surface: ctx.path.startsWith('/mcp/tools') ? 'rest' : 'http',
    baseUrl: requestBaseUrl(ctx, deps.settings.publicBaseUrl),
  });

  const router = new Router();
  const mcp = createMcpHttpHandler(transport, { maxBodyBytes: opts.maxBodyBytes, context });
  router.all(['/mcp', '/mcp/'], mcp);
  router.get('/mcp/tools', createToolListHandler(registry));
  router.post('/mcp/tools/call', createToolCallHandler(registry, { maxBodyBytes: opts.maxBodyBytes, context }));
  router.all(/^\/mcp\/.*/, (ctx) => {
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = 'Not Found';
  });
  // published example plans are public by design (the operator chose to publish them)
  router.get('/examples/:planId/:file', async (ctx) => {
    const id = parseUuid(ctx.params.planId);
    const row = id ? await getPlan(deps.db, id, undefined) : undefined;
    const file = ctx.params.file;
    if (!row || !row.is_example || row.state !== 'completed' || (file !== 'report.html' && file !== 'run.zip')) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: 'Example not found' }, detail: 'Example not found' };
      return;
    }
    const art = file === 'report.html' ? await reportBytes(deps.db, row.id) : await zipBytes(deps.db, row.id);
    if (!art) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: 'Example not found' }, detail: 'Example not found' };
      return;
    }
    ctx.type = file === 'report.html' ? 'text/html; charset=utf-8' : 'application/zip';
    ctx.set('Content-Disposition', file === 'report.html' ? 'inline; filename="report.html"' : `attachment; filename="${row.id}.zip"`);
    ctx.body = Buffer.from(art.bytes);
  });

  return {
    middleware: compose([router.routes(), router.allowedMethods()]) as unknown as Middleware,
    registry,
    close: async () => {
      await server.close();
    },
  };
}

export interface ToolsAppOptions {
  /** PLANEXE_INTERNAL_SECRET: the only requests served are the gateway's, which carry it. Required. */
  internalSecret: string;
  log: { error(obj: object, msg: string): void };
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
  const app = new Koa();
  for (const m of opts.before ?? []) app.use(m);
  app.use(errorBoundary(opts.log));
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET') return next();
    if (ctx.path === '/livez' || ctx.path === '/healthcheck') {
      ctx.body = { status: 'ok', service: 'planexe-tools' };
      return;
    }
    if (ctx.path !== '/readyz') return next();
    const ready = opts.ready?.() ?? true;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready' };
  });
  app.use(trustGateway({ secret: opts.internalSecret }));
  app.use(service.middleware);
  return app;
}
