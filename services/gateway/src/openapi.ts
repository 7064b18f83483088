import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  buildToolCatalog,
  ErrorDetailSchema,
  ERROR_CODES,
  outputJsonSchema,
  toolOutputJsonSchema,
  PlanStateSchema,
  PUBLIC_TOOLS,
  SERVER_VERSION,
  SERVICE_TITLE,
  openApiPath,
  ROUTE,
  SERVER_CARD_MEDIA_TYPE,
} from '@planexe/contracts';

export interface OpenApiOptions {
  requireAuth: boolean;
  downloadTokenTtlSeconds: number;
  /** Rate-limit points a plan_create takes (described on the REST bridge). */
  planCreateCost: number;
}

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const text = (description: string) => ({ description, content: { 'text/plain': { schema: z.string() } } });

/** The contract's HTTP error body. */
const ErrorBody = z
  .object({
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
    detail: z.string().describe('The message again, for clients written against the upstream `{"detail": …}` bodies.'),
  })
  .meta({ id: 'ErrorBody' });
const err = (description: string) => ({ description, content: json(ErrorBody) });
const RATE_LIMITED = err('Rate limit exceeded (`RATE_LIMITED`); `Retry-After` says when to come back.');
/** /mcp's refusal: a JSON-RPC error answering the request's id (services/gateway/src/rateLimits.ts). */
const RPC_RATE_LIMITED = {
  description: 'Rate limit exceeded: a JSON-RPC error, code -32029, `data.code` `RATE_LIMITED`, the request\'s `id`; `Retry-After` says when to come back.',
  content: json(z.record(z.string(), z.unknown())),
};

const planIdParam = z.string().meta({ description: 'Plan UUID returned by plan_create.', param: { name: 'plan_id', in: 'path' } });

/**
 * The OpenAPI 3.1 document of the public HTTP surface, generated from libs/contracts' zod schemas: the REST bridge
 * (one request body per tool), discovery, health, SSE and downloads. The MCP JSON-RPC endpoint is summarised only.
 */
export function buildOpenApiDocument(o: OpenApiOptions): Record<string, unknown> {
  const reg = new OpenAPIRegistry();
  const apiKey = reg.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'A user key (pex_…) from home.planexe.org, or the deployment\'s shared key. `Authorization: Bearer <key>` works too.',
  });
  const keyed = o.requireAuth ? [{ [apiKey.name]: [] }] : [{ [apiKey.name]: [] }, {}];
  const keyOptional = [{ [apiKey.name]: [] }, {}];

  const catalog = buildToolCatalog({ downloadTokenTtlSeconds: o.downloadTokenTtlSeconds });
  const calls = catalog.map((t) =>
    z
      .object({
        tool: z.literal(t.name),
        arguments: t.input,
        ...(t.name === 'plan_create' ? { metadata: z.record(z.string(), z.unknown()).nullable().optional() } : {}),
      })
      .meta({ id: `call_${t.name}`, description: t.description }),
  );
  // the payload of each tool travels as a JSON string; its schema is still worth reading
  for (const t of catalog) {
    reg.registerComponent('schemas', `${t.name}_payload`, {
      ...(toolOutputJsonSchema(t.output) as object),
      description: `Payload of ${t.name} (the JSON in content[0].text), or {"error": {code, message}}.`,
    });
  }
  const CallBody = z.discriminatedUnion('tool', calls as unknown as [z.ZodObject<any>, ...z.ZodObject<any>[]]);
  const CallResult = z
    .object({
      content: z.array(z.object({ text: z.string().describe('The tool payload as a JSON string (see the <tool>_payload schemas).') })),
      error: ErrorDetailSchema.nullable().describe('The payload\'s `error` member when it has one, else null.'),
    })
    .meta({ id: 'ToolCallResult' });
  const ToolList = z
    .object({
      tools: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          inputSchema: z.record(z.string(), z.unknown()),
          outputSchema: z.record(z.string(), z.unknown()).optional(),
          annotations: z.record(z.string(), z.unknown()).optional(),
        }),
      ),
    })
    .meta({ id: 'ToolList' });
  const Health = z
    .object({
      status: z.enum(['healthy', 'degraded', 'down']),
      service: z.literal('planexe-mcp-cloud'),
      authentication_required: z.boolean(),
      dependencies: z.record(z.string(), z.enum(['ok', 'down'])).describe('database, redis, nats (distributed) or database, bus (standalone).'),
    })
    .meta({ id: 'Health' });
  const SseStatus = z
    .object({ plan_id: z.string(), state: PlanStateSchema, progress_percentage: z.number(), elapsed_sec: z.number() })
    .meta({ description: '`event: status` / `event: complete` data (complete adds `error` for failed plans).' });
  reg.registerComponent('schemas', 'SseStatusEvent', outputJsonSchema(SseStatus) as object);

  const routes: RouteConfig[] = [
    { method: 'get', path: openApiPath('root'), tags: ['discovery'], summary: 'Service info and endpoint map', responses: { 200: { description: 'Service info', content: json(z.record(z.string(), z.unknown())) } } },
    { method: 'get', path: openApiPath('healthcheck'), tags: ['health'], summary: 'Health with dependency status', responses: { 200: { description: 'healthy or degraded', content: json(Health) }, 503: { description: 'down (database unreachable)', content: json(Health) } } },
    { method: 'get', path: openApiPath('livez'), tags: ['health'], summary: 'Liveness probe', responses: { 200: { description: 'The process answers' } } },
    { method: 'get', path: openApiPath('readyz'), tags: ['health'], summary: 'Readiness probe', responses: { 200: { description: 'Ready for traffic' }, 503: { description: 'Starting or shutting down' } } },
    { method: 'get', path: openApiPath('robots'), tags: ['discovery'], summary: 'robots.txt', responses: { 200: text('Crawler rules') } },
    { method: 'get', path: openApiPath('llms_txt'), tags: ['discovery'], summary: 'Agent-oriented overview', responses: { 200: text('llms.txt'), 404: err('Missing file') } },
    { method: 'get', path: openApiPath('llm_txt'), tags: ['discovery'], summary: 'Alias of /llms.txt', responses: { 308: { description: 'Redirect to /llms.txt' } } },
    { method: 'get', path: openApiPath('server_card'), tags: ['discovery'], summary: 'MCP server card', responses: { 200: { description: 'Server card', content: json(z.record(z.string(), z.unknown())) } } },
    { method: 'get', path: openApiPath('mcp_server_card'), tags: ['discovery'], summary: 'MCP server card (SEP-2127)', responses: { 200: { description: 'Server card', content: { [SERVER_CARD_MEDIA_TYPE]: { schema: z.record(z.string(), z.unknown()) } } } } },
    { method: 'get', path: openApiPath('ai_catalog'), tags: ['discovery'], summary: 'AI catalog (points at the server card)', responses: { 200: { description: 'AI catalog', content: json(z.record(z.string(), z.unknown())) } } },
    { method: 'get', path: openApiPath('glama'), tags: ['discovery'], summary: 'Glama connector metadata', responses: { 200: { description: 'Connector', content: json(z.record(z.string(), z.unknown())) } } },
    { method: 'get', path: openApiPath('openapi'), tags: ['discovery'], summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: json(z.record(z.string(), z.unknown())) } } },
    {
      method: 'post',
      path: openApiPath('mcp'),
      tags: ['mcp'],
      summary: 'MCP Streamable HTTP (JSON-RPC; stateless)',
      description:
        `Connect an MCP client here (\`${ROUTE.mcp.path}\` and \`${ROUTE.mcp.aliases![0]}\` are the same endpoint). Handshake and listing methods and the open tools need no key; ` +
        'other tools need one; they spend no rate budget (tool calls do). A refused key is a JSON-RPC error -32001 with HTTP 200. GET opens an idle event stream (under the SSE connection caps).',
      security: keyOptional,
      request: { body: { content: json(z.record(z.string(), z.unknown()).describe('One JSON-RPC 2.0 message')) } },
      responses: {
        200: {
          description: 'One JSON-RPC response; or, for a tools/call that sends notifications while it runs (a progressToken, a tool that logs) from a client accepting text/event-stream, a stream of them followed by the response',
          content: { ...json(z.record(z.string(), z.unknown())), 'text/event-stream': { schema: z.string() } },
        },
        202: { description: 'Notification accepted' },
        429: RPC_RATE_LIMITED,
      },
    },
    { method: 'get', path: openApiPath('mcp_tools'), tags: ['rest'], summary: 'List the tools', responses: { 200: { description: 'Tools with input/output schemas', content: json(ToolList) } } },
    {
      method: 'post',
      path: openApiPath('mcp_tools_call'),
      tags: ['rest'],
      summary: 'Call a tool (REST bridge)',
      description:
        `Body: \`{"tool": <name>, "arguments": {…}}\`. ${PUBLIC_TOOLS.join(', ')} need no key; every other tool does. ` +
        `Rate limit: every call takes 1 point of the main budget, plan_create takes ${o.planCreateCost}.`,
      security: keyOptional,
      request: { body: { required: true, content: json(CallBody) } },
      responses: {
        200: { description: 'The tool result', content: json(CallResult) },
        400: err('Body is not JSON, or Content-Length is malformed'),
        401: err('Missing API key (protected tool)'),
        403: err('Invalid API key'),
        411: err('Content-Length required'),
        413: err('Body larger than PLANEXE_MCP_MAX_BODY_BYTES'),
        422: err('Body is not {tool, arguments}'),
        429: RATE_LIMITED,
      },
    },
    {
      method: 'get',
      path: openApiPath('sse_plan'),
      tags: ['stream'],
      summary: 'Progress of one plan as Server-Sent Events',
      description: 'Events `status`, `heartbeat`, `complete`, `error` (JSON data); the stream ends after `complete` or `error`. No key: the plan UUID is the secret.',
      request: { params: z.object({ plan_id: planIdParam }) },
      responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, 429: err('Too many concurrent streams (`SSE_CONNECTION_LIMIT`)') },
    },
    {
      method: 'get',
      path: openApiPath('download'),
      tags: ['artifacts'],
      summary: 'Download the report or the zip of a plan',
      description: 'Use the signed `download_url` from plan_file_info (its `token` replaces the key), or send your key.',
      security: [...keyed, {}],
      request: {
        params: z.object({ plan_id: planIdParam, filename: z.enum(['report.html', 'run.zip']).meta({ param: { name: 'filename', in: 'path' } }) }),
        query: z.object({ token: z.string().optional().meta({ description: 'Signed download token', param: { name: 'token', in: 'query' } }) }),
      },
      responses: {
        200: { description: 'The file', content: { 'text/html': { schema: z.string() }, 'application/zip': { schema: z.string().meta({ format: 'binary' }) } } },
        401: err('Invalid or expired download token / missing key'),
        404: err('Plan or file not found'),
        429: err('Download rate limit exceeded (`RATE_LIMITED`)'),
      },
    },
    {
      method: 'get',
      path: openApiPath('example_file'),
      tags: ['artifacts'],
      summary: 'Published example plans (report.html or run.zip)',
      request: { params: z.object({ plan_id: planIdParam, file: z.enum(['report.html', 'run.zip']).meta({ param: { name: 'file', in: 'path' } }) }) },
      responses: { 200: { description: 'The file' }, 404: err('Not an example') },
    },
  ];
  for (const r of routes) reg.registerPath(r);

  return new OpenApiGeneratorV31(reg.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: SERVICE_TITLE,
      version: SERVER_VERSION,
      description: 'MCP server that generates strategic project-plan drafts from a natural-language prompt',
    },
    tags: [
      { name: 'mcp', description: 'MCP Streamable HTTP' },
      { name: 'rest', description: 'REST bridge over the same tools' },
      { name: 'stream', description: 'Progress events' },
      { name: 'artifacts', description: 'Reports and zips' },
      { name: 'discovery', description: 'Discovery documents' },
      { name: 'health', description: 'Health and probes' },
    ],
  }) as unknown as Record<string, unknown>;
}
