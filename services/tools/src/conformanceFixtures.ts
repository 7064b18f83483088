import { randomBytes } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  InMemoryServerEventBus,
  inputRequired,
  inputResponse,
  type InputRequest,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import type { SurfaceExtension, SurfaceTool } from './surface.ts';
import { conformanceTaskFixtures } from './conformanceTasks.ts';
import { fixturePrompts, fixtureResources, fixtureTemplates, RED_PIXEL_PNG, TINY_WAV } from './conformanceContent.ts';

/**
 * The tools, prompts and resources the official MCP conformance suite (0.2) asks a server for, so the suite can run
 * against our real transport and edge. Loaded only with PLANEXE_CONFORMANCE_FIXTURES=1 and refused when auth is on
 * (see conformanceGate.ts); none of it is part of the PlanExe contract. Names and payloads are the suite's.
 */
const noArgs: Tool['inputSchema'] = { type: 'object', properties: {} };
const text = (t: string) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nameSchema = (prop: string) => ({ type: 'object' as const, properties: { [prop]: { type: 'string' as const } }, required: [prop] });

function tool(name: string, description: string, call: SurfaceTool['call'], inputSchema: Tool['inputSchema'] = noArgs): SurfaceTool {
  return { definition: { name, description, inputSchema }, call };
}

/** A tool that sends log messages while it runs, with or without a progressToken: its 2025 calls are streamed. */
const logs = (t: SurfaceTool): SurfaceTool => ({ ...t, notifiesDuringCall: true });

/** A tool whose 2025 calls ask the client (the SDK's shim sends its input requests as sampling/elicitation requests). */
const asks = (t: SurfaceTool): SurfaceTool => ({ ...t, asksClient: true });

/** Round 1 asks, round 2 answers: the 2026-07-28 multi-round-trip shape (the SDK shims it onto 2025 connections). */
function asking(requests: Record<string, InputRequest>, done: (ctx: ServerContext) => Record<string, unknown>, requestState?: string) {
  return async (_args: Record<string, unknown>, ctx: ServerContext) => {
    const responses = ctx.mcpReq.inputResponses;
    const missing = Object.keys(requests).filter((k) => inputResponse(responses, k).kind === 'missing');
    if (missing.length) return inputRequired({ inputRequests: Object.fromEntries(missing.map((k) => [k, requests[k]])), requestState }) as never;
    return done(ctx);
  };
}

const describeElicit = (ctx: ServerContext, key: string) => {
  const r = inputResponse(ctx.mcpReq.inputResponses, key);
  return r.kind === 'elicit' ? `action=${r.action}, content=${JSON.stringify(r.content ?? {})}` : `action=unknown`;
};
const samplingText = (ctx: ServerContext, key: string) => {
  const raw = ctx.mcpReq.inputResponses?.[key] as { content?: { text?: string } } | undefined;
  return raw?.content?.text ?? '';
};

export function createConformanceFixtures(): SurfaceExtension & { bus: InMemoryServerEventBus } {
  const bus = new InMemoryServerEventBus();
  const codec = createRequestStateCodec<{ round: number }>({ key: randomBytes(32) });
  const elicitName = inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema('name') });

  const tools: SurfaceTool[] = [
    tool('test_simple_text', 'Returns simple text', async () => text('This is a simple text response for testing.')),
    tool('test_image_content', 'Returns an image', async () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }] })),
    tool('test_audio_content', 'Returns audio', async () => ({ content: [{ type: 'audio', data: TINY_WAV, mimeType: 'audio/wav' }] })),
    tool('test_embedded_resource', 'Returns an embedded resource', async () => ({
      content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
    })),
    tool('test_multiple_content_types', 'Returns text, image and a resource', async () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } },
      ],
    })),
    logs(tool('test_tool_with_logging', 'Logs three messages while it runs', async (_a, ctx) => {
      await ctx.mcpReq.log('info', 'Tool execution started');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool processing data');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool execution completed');
      return text('Tool with logging executed successfully');
    })),
    logs(tool('test_logging_tool', 'Logs one message (only when the request asks for a log level)', async (_a, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran');
      return text('logged');
    })),
    tool('test_error_handling', 'Always fails', async () => ({ isError: true, ...text('This tool intentionally returns an error for testing') })),
    tool('test_tool_with_progress', 'Reports progress 0, 50, 100', async (_a, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 } });
        if (progress < 100) await sleep(50);
      }
      return text('Tool with progress executed successfully');
    }),
    asks({
      definition: { name: 'test_sampling', description: 'Asks the client to sample', inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] } },
      call: async (args, ctx) =>
        asking(
          { sampling: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt ?? '') } }], maxTokens: 100 }) },
          (c) => text(`LLM response: ${samplingText(c, 'sampling')}`),
        )(args, ctx),
    }),
    asks({
      definition: { name: 'test_elicitation', description: 'Asks the user', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
      call: async (args, ctx) =>
        asking(
          {
            user: inputRequired.elicit({
              message: String(args.message ?? ''),
              requestedSchema: {
                type: 'object',
                properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
                required: ['username', 'email'],
              },
            }),
          },
          (c) => text(`User response: ${describeElicit(c, 'user')}`),
        )(args, ctx),
    }),
    asks(tool(
      'test_elicitation_sep1034_defaults',
      'Elicitation with defaults',
      asking(
        {
          form: inputRequired.elicit({
            message: 'Please review the defaults',
            requestedSchema: {
              type: 'object',
              properties: {
                name: { type: 'string', default: 'John Doe' },
                age: { type: 'integer', default: 30 },
                score: { type: 'number', default: 95.5 },
                status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
                verified: { type: 'boolean', default: true },
              },
            },
          }),
        },
        (c) => text(`Elicitation completed: ${describeElicit(c, 'form')}`),
      ),
    )),
    asks(tool(
      'test_elicitation_sep1330_enums',
      'Elicitation with every enum form',
      asking(
        {
          form: inputRequired.elicit({
            message: 'Pick options',
            requestedSchema: {
              type: 'object',
              properties: {
                untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                titledSingle: { type: 'string', oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }, { const: 'value3', title: 'Third Option' }] },
                legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
                untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
                titledMulti: { type: 'array', items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }, { const: 'value3', title: 'Third Choice' }] } },
              },
            } as never,
          }),
        },
        (c) => text(`Elicitation completed: ${describeElicit(c, 'form')}`),
      ),
    )),
    tool('test_input_required_result_elicitation', 'Asks a name, then greets', asking({ user_name: elicitName }, (c) => {
      const r = inputResponse(c.mcpReq.inputResponses, 'user_name');
      return text(`Hello, ${r.kind === 'elicit' ? String(r.content?.name ?? '') : ''}!`);
    })),
    tool(
      'test_input_required_result_sampling',
      'Asks the client to sample',
      asking(
        { capital_question: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 }) },
        (c) => text(`Sampling said: ${samplingText(c, 'capital_question')}`),
      ),
    ),
    tool('test_input_required_result_list_roots', 'Asks for the roots', asking({ client_roots: inputRequired.listRoots() }, (c) => {
      const roots = (c.mcpReq.inputResponses?.client_roots as { roots?: { uri: string }[] } | undefined)?.roots ?? [];
      return text(`Roots: ${roots.map((r) => r.uri).join(', ')}`);
    })),
    tool('test_input_required_result_request_state', 'Round-trips signed state', async (a, ctx) => {
      const confirm = inputRequired.elicit({ message: 'Please confirm', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } });
      if (inputResponse(ctx.mcpReq.inputResponses, 'confirm').kind !== 'missing' && ctx.mcpReq.requestState()) return text('state-ok: confirmed');
      return inputRequired({ inputRequests: { confirm }, requestState: await codec.mint({ round: 1 }, ctx) }) as never;
    }),
    tool('test_input_required_result_tampered_state', 'Refuses tampered state', async (_a, ctx) => {
      if (ctx.mcpReq.requestState()) return text('state-ok');
      return inputRequired({ inputRequests: { user_name: elicitName }, requestState: await codec.mint({ round: 1 }, ctx) }) as never;
    }),
    tool('test_input_required_result_multiple_inputs', 'Asks three things at once', async (a, ctx) =>
      asking(
        {
          user_name: elicitName,
          greeting: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 }),
          client_roots: inputRequired.listRoots(),
        },
        () => text('All inputs received'),
        await codec.mint({ round: 1 }, ctx),
      )(a, ctx),
    ),
    tool('test_input_required_result_multi_round', 'Two rounds of questions', async (_a, ctx) => {
      const state = ctx.mcpReq.requestState<{ round: number }>();
      const has = (k: string) => inputResponse(ctx.mcpReq.inputResponses, k).kind !== 'missing';
      if (state?.round === 2 && has('step2')) return text('Multi-round complete');
      if (state?.round === 1 && has('step1')) {
        const step2 = inputRequired.elicit({ message: 'Step 2: What is your favorite color?', requestedSchema: nameSchema('color') });
        return inputRequired({ inputRequests: { step2 }, requestState: await codec.mint({ round: 2 }, ctx) }) as never;
      }
      const step1 = inputRequired.elicit({ message: 'Step 1: What is your name?', requestedSchema: nameSchema('name') });
      return inputRequired({ inputRequests: { step1 }, requestState: await codec.mint({ round: 1 }, ctx) }) as never;
    }),
    tool('test_input_required_result_capabilities', 'Asks only what the client can answer', async (_a, ctx) => {
      const env = (ctx.mcpReq.envelope ?? {}) as Record<string, { elicitation?: unknown; sampling?: unknown; roots?: unknown } | undefined>;
      const caps = env[CLIENT_CAPABILITIES_META_KEY] ?? env.clientCapabilities ?? {};
      const requests: Record<string, InputRequest> = {};
      if (caps.elicitation) requests.user_name = elicitName;
      if (caps.sampling) requests.greeting = inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Hi' } }], maxTokens: 20 });
      if (caps.roots) requests.client_roots = inputRequired.listRoots();
      if (!Object.keys(requests).length || Object.keys(requests).every((k) => inputResponse(ctx.mcpReq.inputResponses, k).kind !== 'missing')) return text('done');
      return inputRequired({ inputRequests: requests }) as never;
    }),
    tool('test_missing_capability', 'Needs sampling, which a client must declare', asking({ s: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'x' } }], maxTokens: 10 }) }, () => text('sampled'))),
    tool('test_streaming_elicitation', 'Asks through an input-required result', asking({ user_name: elicitName }, () => text('thanks'))),
    tool('test_trigger_tool_change', 'Announces a tools list change', async () => (bus.publish({ kind: 'tools_list_changed' }), text('tools changed'))),
    tool('test_trigger_prompt_change', 'Announces a prompts list change', async () => (bus.publish({ kind: 'prompts_list_changed' }), text('prompts changed'))),
    tool('test_headers', 'A simple tool used to test that HTTP headers are sent correctly', async () => text('ok')),
    tool('my-hyphenated-tool', 'Tool with hyphen in name to test special chars in Mcp-Name header', async () => text('ok')),
    tool('test_custom_headers', 'Mirrors an argument into a header', async () => text('ok'), {
      type: 'object',
      properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
      required: ['region'],
    }),
    tool('json_schema_2020_12_tool', 'Tool with JSON Schema 2020-12 features', async () => text('ok'), {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
      properties: {
        name: { type: 'string' },
        address: { $ref: '#/$defs/address' },
        contactMethod: { type: 'string', enum: ['phone', 'email'] },
        phone: { type: 'string' },
        email: { type: 'string' },
      },
      allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
      if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
      then: { required: ['phone'] },
      else: { required: ['email'] },
      additionalProperties: false,
    } as Tool['inputSchema']),
  ];

  const taskFixtures = conformanceTaskFixtures();
  return {
    bus,
    tasks: taskFixtures.tasks,
    capabilities: {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      logging: {},
      completions: {},
    },
    requestState: { verify: (state, ctx) => codec.verify(state, ctx) },
    tools: [...tools, ...taskFixtures.tools],
    prompts: fixturePrompts(),
    resources: fixtureResources(),
    templates: fixtureTemplates(),
    complete: async () => ({ completion: { values: ['paris', 'park', 'party'], total: 3, hasMore: false } }),
  };
}
