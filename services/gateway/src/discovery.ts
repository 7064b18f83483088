import Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SERVER_NAME, SERVER_VERSION, SERVICE_TITLE } from '@planexe/contracts';

const LLMS_TXT = fileURLToPath(new URL('../../../public/llms.txt', import.meta.url));

export interface DiscoveryOptions {
  requireAuth: boolean;
  glamaEmail: string;
}

/** Discovery routes (spec/http.md §2, §8); health and probes are in health.ts. */
export function discoveryRouter(o: DiscoveryOptions): Router {
  const r = new Router();
  r.get('/', (ctx) => {
    ctx.body = {
      service: SERVICE_TITLE,
      description: 'Rough-draft project plans from a one-line prompt, for AI agents over MCP.',
      version: SERVER_VERSION,
      endpoints: {
        mcp: '/mcp',
        tools: '/mcp/tools',
        call: '/mcp/tools/call',
        health: '/healthcheck',
        mcp_server_card: '/.well-known/mcp/server-card.json',
        glama_connector: '/.well-known/glama.json',
        download: '/download/{plan_id}/report.html',
        sse: '/sse/plan/{plan_id}',
        llms_txt: '/llms.txt',
      },
      documentation: 'See /docs for OpenAPI documentation',
      authentication: o.requireAuth
        ? 'Required: X-API-Key (Obtain an api key at home.planexe.org)'
        : 'Disabled (PLANEXE_MCP_REQUIRE_AUTH=false)',
    };
  });
  r.get('/robots.txt', (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'User-agent: *\nAllow: /\nSitemap: https://mcp.planexe.org/llms.txt\n';
  });
  r.get('/llms.txt', async (ctx) => {
    try {
      ctx.body = await readFile(LLMS_TXT, 'utf8');
      ctx.type = 'text/plain; charset=utf-8';
    } catch {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: 'llms.txt not found' }, detail: 'llms.txt not found' };
    }
  });
  r.get('/llm.txt', (ctx) => {
    ctx.status = 308;
    ctx.set('Location', '/llms.txt');
  });
  r.get('/.well-known/mcp/server-card.json', (ctx) => {
    ctx.body = {
      version: '1.0',
      protocolVersion: '2025-06-18',
      serverInfo: { name: SERVER_NAME, title: 'PlanExe - AI Project Planning', version: SERVER_VERSION },
      description:
        'MCP server that turns a natural-language prompt into a strategic project-plan draft: a self-contained interactive ' +
        'HTML report with 20+ sections (executive summary, Gantt, risk, SWOT, governance, investor pitch, adversarial stress tests).',
      documentationUrl: 'https://docs.planexe.org/',
      transport: { type: 'streamable-http', endpoint: '/mcp/' },
      capabilities: { tools: {} },
      authentication: { required: o.requireAuth, schemes: ['api-key'] },
      tools: ['dynamic'],
      prompts: ['dynamic'],
      resources: ['dynamic'],
    };
  });
  r.get('/.well-known/glama.json', (ctx) => {
    ctx.body = { $schema: 'https://glama.ai/mcp/schemas/connector.json', maintainers: [{ email: o.glamaEmail }] };
  });
  return r;
}
