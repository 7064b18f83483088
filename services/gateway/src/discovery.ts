import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { aiCatalog, openApiPath, ROUTE, SERVER_CARD_MEDIA_TYPE, SERVER_NAME, SERVER_VERSION, SERVICE_TITLE, serverCard, urls } from '@planexe/contracts';
import { requestBaseUrl, sendError } from '@planexe/http';
import type { EdgeHandlers } from './edgeBasics.ts';

const LLMS_TXT = fileURLToPath(new URL('../../../public/llms.txt', import.meta.url));

export interface DiscoveryOptions {
  requireAuth: boolean;
  glamaEmail: string;
  /** PLANEXE_MCP_PUBLIC_BASE_URL: the absolute base of the URLs the cards name; unset → the request's own. */
  publicBaseUrl?: string;
}

/** Discovery routes (spec/http.md §2, §8); health and probes are in health.ts. */
export function discoveryHandlers(o: DiscoveryOptions): EdgeHandlers {
  const h: EdgeHandlers = {};
  h.root = (ctx) => {
    ctx.body = {
      service: SERVICE_TITLE,
      description: 'Rough-draft project plans from a one-line prompt, for AI agents over MCP.',
      version: SERVER_VERSION,
      endpoints: {
        mcp: ROUTE.mcp.path,
        tools: ROUTE.mcp_tools.path,
        call: ROUTE.mcp_tools_call.path,
        health: ROUTE.healthcheck.path,
        mcp_server_card: ROUTE.server_card.path,
        glama_connector: ROUTE.glama.path,
        download: openApiPath('download').replace('{filename}', 'report.html'),
        sse: openApiPath('sse_plan'),
        llms_txt: ROUTE.llms_txt.path,
      },
      documentation: 'See /docs for OpenAPI documentation',
      authentication: o.requireAuth
        ? 'Required: X-API-Key (Obtain an api key at home.planexe.org)'
        : 'Disabled (PLANEXE_MCP_REQUIRE_AUTH=false)',
    };
  };
  h.robots = (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'User-agent: *\nAllow: /\nSitemap: https://mcp.planexe.org/llms.txt\n';
  };
  h.llms_txt = async (ctx) => {
    try {
      ctx.body = await readFile(LLMS_TXT, 'utf8');
      ctx.type = 'text/plain; charset=utf-8';
    } catch {
      sendError(ctx, 404, 'NOT_FOUND', 'llms.txt not found');
    }
  };
  h.llm_txt = (ctx) => {
    ctx.status = 308;
    ctx.set('Location', ROUTE.llms_txt.path);
  };
  h.server_card = (ctx) => {
    ctx.body = {
      version: '1.0',
      protocolVersion: '2025-06-18',
      serverInfo: { name: SERVER_NAME, title: 'PlanExe - AI Project Planning', version: SERVER_VERSION },
      description:
        'MCP server that turns a natural-language prompt into a strategic project-plan draft: a self-contained interactive ' +
        'HTML report with 20+ sections (executive summary, Gantt, risk, SWOT, governance, investor pitch, adversarial stress tests).',
      documentationUrl: 'https://docs.planexe.org/',
      transport: { type: 'streamable-http', endpoint: ROUTE.mcp.aliases![0] },
      capabilities: { tools: {} },
      authentication: { required: o.requireAuth, schemes: ['api-key'] },
      tools: ['dynamic'],
      prompts: ['dynamic'],
      resources: ['dynamic'],
    };
  };
  // SEP-2127 (MCP 2026-07-28 discovery): absolute URLs, so a card fetched alone says where to connect. The older
  // well-known card above keeps the shape spec/http.md §8.2 gives it, for the clients that read it today.
  h.mcp_server_card = (ctx) => {
    ctx.body = serverCard(urls.mcp(requestBaseUrl(ctx, o.publicBaseUrl) ?? ''), o.requireAuth);
    ctx.type = SERVER_CARD_MEDIA_TYPE;
  };
  h.ai_catalog = (ctx) => {
    ctx.body = aiCatalog((requestBaseUrl(ctx, o.publicBaseUrl) ?? '') + ROUTE.mcp_server_card.path);
  };
  h.glama = (ctx) => {
    ctx.body = { $schema: 'https://glama.ai/mcp/schemas/connector.json', maintainers: [{ email: o.glamaEmail }] };
  };
  return h;
}
