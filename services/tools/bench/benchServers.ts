/**
 * Servers for the plan_status benchmark, one per process: `tsx benchServers.ts <scenario>` prints
 * `READY <port> <plan_id>` and serves until killed.
 *   planexe   — the standalone app (edge + tools) on Postgres (or PGlite when Postgres is absent) with one real plan
 *   koa       — anchor: a minimal Koa + @koa/router handler that parses the same body and returns same-sized JSON
 *   sdk       — anchor: a plain SDK v1 server in stateless mode, a new McpServer + transport per request, one trivial tool
 *   sdk2      — anchor: a plain SDK v2 `createMcpHandler` server (2026-07-28), one trivial tool, on node:http
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpHandler, McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { loadServiceConfig } from '@planexe/config';
import { createPgliteDb, createPostgresDb, insertPlan, migrate } from '@planexe/db';
import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { createStandaloneApp } from '@planexe/standalone';
import { postgresAvailable, PG_ADMIN_URL } from '@planexe/testing/infra';

const scenario = process.argv[2];
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
const SAMPLE = JSON.stringify({
  plan_id: '00000000-0000-4000-8000-000000000000',
  state: 'processing',
  progress_percentage: 42,
  steps_completed: 52,
  steps_total: 125,
  current_step: 'SWOT Analysis',
  timing: { started_at: '2026-01-01T00:00:00Z', elapsed_sec: 321.5, last_progress_at: '2026-01-01T00:05:00Z' },
  files_count: 0,
  files: [],
});

async function listen(handler: Parameters<typeof createServer>[1], planId = '-') {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  console.log(`READY ${(server.address() as AddressInfo).port} ${planId}`);
}

if (scenario === 'planexe') {
  const usePg = await postgresAvailable().catch(() => false);
  const dbh = usePg ? createPostgresDb(PG_ADMIN_URL, { max: 10 }) : await createPgliteDb();
  await migrate(dbh.db);
  const plan = await insertPlan(dbh.db, { prompt: 'Benchmark plan', userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline' } });
  // limits off: the benchmark measures plan_status, not the rate limiter (the default 60/min refuses almost everything)
  const config = loadServiceConfig('standalone', {
    PLANEXE_MCP_REQUIRE_AUTH: 'false',
    PLANEXE_LOG_LEVEL: 'silent',
    PLANEXE_MCP_RATE_LIMIT: '0',
    PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: '0',
  });
  const sa = await createStandaloneApp({
    db: dbh.db,
    queue: new MemoryQueue(),
    bus: new MemoryBus(),
    limits: new MemoryLimits(),
    config,
    log: silentLogger(),
    bindHost: '127.0.0.1',
  });
  await listen(sa.app.callback(), plan.id);
} else if (scenario === 'koa') {
  const app = new Koa();
  const router = new Router();
  router.post('/mcp/tools/call', (ctx) => {
    const body = ctx.request.body as { tool?: string; arguments?: { plan_id?: string } };
    ctx.body = { content: [{ text: SAMPLE.replace('00000000-0000-4000-8000-000000000000', String(body.arguments?.plan_id)) }], error: null };
  });
  app.use(koaBody());
  app.use(router.routes());
  await listen(app.callback());
} else if (scenario === 'sdk') {
  await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const server = new McpServer({ name: 'anchor', version: '1.0.0' });
    server.registerTool('plan_status', { inputSchema: { plan_id: z.string() } }, async ({ plan_id }) => ({
      content: [{ type: 'text', text: SAMPLE.replace('00000000-0000-4000-8000-000000000000', plan_id) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
} else if (scenario === 'sdk2') {
  const handler = createMcpHandler(() => {
    const server = new McpServerV2({ name: 'anchor', version: '1.0.0' });
    server.registerTool('plan_status', { inputSchema: z.object({ plan_id: z.string() }) }, async ({ plan_id }) => ({
      content: [{ type: 'text', text: SAMPLE.replace('00000000-0000-4000-8000-000000000000', plan_id) }],
    }));
    return server;
  });
  await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const answer = await handler.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }), {
      parsedBody: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
