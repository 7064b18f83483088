/**
 * The plain-call lane (mcpPlainCall.ts) answers some /mcp requests without the SDK. It must answer them exactly as
 * the SDK does: the same requests go to two tools services over one database, one with the lane and one without,
 * and every answer (status, content type, JSON-RPC body) must match. Requests the lane must leave to the SDK are in
 * the corpus too, with the lane's decision asserted, so a lane that took too much (or nothing) fails here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { anonymousCaller, CALLER_HEADER, encodeCaller, INTERNAL_SECRET_HEADER } from '@planexe/auth';
import { loadServiceConfig } from '@planexe/config';
import { insertPlan, type DbHandle } from '@planexe/db';
import { MemoryBus, MemoryQueue } from '@planexe/infra';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { silentLogger } from '@planexe/telemetry';
import { INTERNAL_SECRET, listen, type Listening } from '../../../tests/harness/distributedServer.ts';
import { createToolsApp } from '../src/app.ts';
import { toolsFromConfig, type ConfiguredTools } from '../src/configuredService.ts';
import { asPlainCall } from '../src/mcpPlainCall.ts';

const V26 = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V26,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
};
const BOTH = 'application/json, text/event-stream';

interface Case {
  what: string;
  /** Whether the lane answers it (else the SDK does, on both services). */
  plain: boolean;
  headers: Record<string, string>;
  body: unknown;
}

const call = (id: unknown, name: unknown, args?: unknown, meta?: unknown) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, ...(args === undefined ? {} : { arguments: args }), ...(meta === undefined ? {} : { _meta: meta }) },
});
const v25 = (extra: Record<string, string> = {}) => ({ 'mcp-protocol-version': '2025-11-25', accept: BOTH, ...extra });
const v26 = (name: string, extra: Record<string, string> = {}) => ({ 'mcp-protocol-version': V26, 'mcp-method': 'tools/call', 'mcp-name': name, accept: BOTH, ...extra });

function corpus(planId: string): Case[] {
  const cases: Case[] = [];
  const add = (what: string, plain: boolean, headers: Record<string, string>, body: unknown) => cases.push({ what, plain, headers, body });
  // 2025 era: answered by the lane
  add('2025 plan_status of a plan', true, v25(), call(7, 'plan_status', { plan_id: planId }));
  add('2025 string id, no version header, no Accept (curl)', true, {}, call('a-1', 'plan_status', { plan_id: planId }));
  add('2025-06-18, JSON-only Accept', true, v25({ 'mcp-protocol-version': '2025-06-18', accept: 'application/json' }), call(1, 'plan_status', { plan_id: planId }));
  add('2025 unknown plan', true, v25(), call(2, 'plan_status', { plan_id: '00000000-0000-4000-8000-000000000000' }));
  add('2025 malformed plan id', true, v25(), call(3, 'plan_status', { plan_id: 'nope' }));
  add('2025 wrong-typed argument', true, v25(), call(4, 'plan_status', { plan_id: 5 }));
  add('2025 missing argument, no arguments object', true, v25(), call(5, 'plan_status'));
  add('2025 unknown tool', true, v25(), call(6, 'no_such_tool', {}));
  add('2025 plan_list', true, v25(), call(8, 'plan_list', {}));
  add('2025 model_profiles', true, v25(), call(9, 'model_profiles', {}));
  add('2025 plan_file_info of a pending plan', true, v25(), call(10, 'plan_file_info', { plan_id: planId }));
  add('2025 plan_stop of an unknown plan', true, v25(), call(11, 'plan_stop', { plan_id: '00000000-0000-4000-8000-000000000001' }));
  // 2026-07-28: answered by the lane
  add('2026 plan_status of a plan', true, v26('plan_status'), call(7, 'plan_status', { plan_id: planId }, ENVELOPE));
  add('2026 with a log level', true, v26('plan_status'), call('x', 'plan_status', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'debug' }));
  add('2026 unknown tool', true, v26('no_such_tool'), call(2, 'no_such_tool', {}, ENVELOPE));
  add('2026 invalid argument', true, v26('plan_status'), call(3, 'plan_status', { plan_id: [] }, ENVELOPE));
  add('2026 plan_list', true, v26('plan_list'), call(4, 'plan_list', {}, ENVELOPE));
  // left to the SDK: each must still be answered the same on both
  add('2025 progress token (may stream)', false, v25({ accept: 'application/json' }), call(1, 'plan_status', { plan_id: planId }, { progressToken: 't' }));
  add('2025 arguments not an object', false, v25(), call(1, 'plan_status', ['x']));
  add('2025 fractional id', false, v25(), call(1.5, 'plan_status', { plan_id: planId }));
  add('2025 unknown version header', false, v25({ 'mcp-protocol-version': '1999-01-01' }), call(1, 'plan_status', { plan_id: planId }));
  add('2025 name not a string', false, v25(), call(1, 42, {}));
  add('2025 extra params key', false, v25(), { ...call(1, 'plan_status', { plan_id: planId }), params: { name: 'plan_status', arguments: { plan_id: planId }, task: {} } });
  add('2025 extension tool (may log)', false, v25(), call(1, 'test_simple_text', {}));
  add('2026 Mcp-Name disagrees with the body', false, v26('plan_list'), call(1, 'plan_status', { plan_id: planId }, ENVELOPE));
  add('2026 Mcp-Name header missing', false, { 'mcp-protocol-version': V26, 'mcp-method': 'tools/call', accept: BOTH }, call(1, 'plan_status', { plan_id: planId }, ENVELOPE));
  add('2026 version header disagrees with the envelope', false, v26('plan_status', { 'mcp-protocol-version': '2025-11-25' }), call(1, 'plan_status', { plan_id: planId }, ENVELOPE));
  add('2026 Base64 Mcp-Name', false, v26('=?base64?cGxhbl9zdGF0dXM=?='), call(1, 'plan_status', { plan_id: planId }, ENVELOPE));
  add('2026 progress token', false, v26('plan_status', { accept: 'application/json' }), call(1, 'plan_status', { plan_id: planId }, { ...ENVELOPE, progressToken: 1 }));
  add('2026 tasks-declaring client, plan tool', false, v26('plan_retry'), call(1, 'plan_retry', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } }));
  add('2026 malformed envelope', false, v26('plan_status'), call(1, 'plan_status', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': 5 }));
  add('2026 envelope names 2025-11-25 under a 2026 header', false, v26('plan_status'), call(1, 'plan_status', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' }));
  add('2026 capabilities not an object', false, v26('plan_status'), call(1, 'plan_status', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': 'all' }));
  add('2026 unknown log level', false, v26('plan_status'), call(1, 'plan_status', { plan_id: planId }, { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'loud' }));
  add('2026 header without envelope', false, v26('plan_status'), call(1, 'plan_status', { plan_id: planId }));
  add('tools/list', false, v25(), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return cases;
}

/** What may differ between two answers given a moment apart: a running plan's elapsed seconds. */
const stable = (text: string) => text.replace(/(elapsed_sec\\?"):[\d.]+/g, '$1:0');

describe('the plain-call lane answers exactly as the SDK does', () => {
  let dbh: DbHandle;
  let planId: string;
  const services: { tools: ConfiguredTools; http: Listening }[] = [];

  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    planId = (await insertPlan(dbh.db, { prompt: 'lane test', userId: anonymousCaller().owner, apiKeyId: null, parameters: {} })).id;
    const config = loadServiceConfig('tools', {
      PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET,
      PLANEXE_MCP_REQUIRE_AUTH: 'false',
      // download_url and sse_url must not name the port of the service that answered
      PLANEXE_MCP_PUBLIC_BASE_URL: 'https://mcp.example.test',
    });
    for (const plainCallLane of [true, false]) {
      const tools = await toolsFromConfig(config, {
        db: dbh.db,
        queue: new MemoryQueue(),
        bus: new MemoryBus(),
        log: silentLogger(),
        env: { PLANEXE_CONFORMANCE_FIXTURES: '1' },
        plainCallLane,
      });
      services.push({ tools, http: await listen(createToolsApp(tools.service, { internalSecret: INTERNAL_SECRET, log: silentLogger() }).callback()) });
    }
  });
  afterAll(async () => {
    for (const s of services) {
      await s.http.close();
      await s.tools.close();
    }
    await dbh?.close();
  });

  const send = async (url: string, c: Case) => {
    const res = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET, [CALLER_HEADER]: encodeCaller(anonymousCaller()), ...c.headers },
      body: JSON.stringify(c.body),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: stable(await res.text()) };
  };

  it('takes exactly the plain calls of the corpus', () => {
    const extensionTools = new Set(services[0].tools.service.registry.extensions.flatMap((e) => e.tools ?? []).map((t) => t.definition.name));
    for (const c of corpus(planId)) {
      const lower = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const taken = asPlainCall(c.body, { protocolVersion: lower['mcp-protocol-version'], method: lower['mcp-method'], name: lower['mcp-name'] }, (n) => !extensionTools.has(n));
      expect({ what: c.what, plain: taken !== undefined }).toEqual({ what: c.what, plain: c.plain });
    }
  });

  it('every answer matches the SDK-only service: status, content type and body', async () => {
    const [lane, sdk] = services.map((s) => s.http.url);
    for (const c of corpus(planId)) {
      const [a, b] = [await send(lane, c), await send(sdk, c)];
      expect({ what: c.what, ...a }).toEqual({ what: c.what, ...b });
      if (c.plain) {
        // the lane's answers are JSON-RPC results: the corpus would prove nothing if they were all refusals
        expect(a.status, c.what).toBe(200);
        expect(JSON.parse(a.body).result, c.what).toBeDefined();
      }
    }
  });

  it('an envelope nested past the reader\'s limit is a parse error on both, never a 500', async () => {
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"model_profiles","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"${V26}","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{"experimental":${deep}}}}}`;
    for (const s of services) {
      const res = await fetch(`${s.http.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET, ...v26('model_profiles') },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
    }
  });

  it('a 2026 answer from the lane carries resultType and the server identity, as the SDK stamps them', async () => {
    const c = corpus(planId).find((x) => x.what === '2026 plan_status of a plan')!;
    const r = JSON.parse((await send(services[0].http.url, c)).body);
    expect(r.result.resultType).toBe('complete');
    expect(r.result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('planexe-mcp-server');
    expect(r.result.structuredContent.plan_id).toBe(planId);
  });
});
