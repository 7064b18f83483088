import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import type { DbHandle } from '@planexe/db';
import { TOOL_NAMES } from '@planexe/contracts';
import { startTestServer, connectClient, connectModernClient, type TestServer } from '../harness/testServer.ts';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';
import { runAgentFlow } from './agentFlowSteps.ts';

describe('one /mcp, two protocol revisions: the agent flow on each (standalone)', () => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let srv: TestServer;
  let modern: ModernClient;
  let legacy: Client;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    fake = await startFakeLlm({ latencyMs: 1 });
    srv = await startTestServer(dbh, {}, { configDir: fakeProfileDir(fake, { luigiWorkers: 4 }), llmEnv: { FAKE_LLM_KEY: 'k' } });
    modern = await connectModernClient(srv.mcpUrl);
    legacy = await connectClient(srv.mcpUrl);
  });
  afterAll(async () => {
    await modern?.close();
    await legacy?.close();
    await srv?.close();
    await fake?.close();
    await dbh?.close();
  });

  it('the v2 client negotiates 2026-07-28 and sees the same tools as the v1 client on 2025-11-25', async () => {
    expect(modern.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const [a, b] = await Promise.all([modern.listTools(), legacy.listTools()]);
    expect(a.tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    expect(b.tools).toEqual(a.tools.map(({ ...t }) => t));
  });

  it('SDK v2 client, 2026-07-28: plan_create → plan_status → plan_file_info → download → the report as a resource', async () => {
    await runAgentFlow(modern, { prompt: `A repair café in Ghent, opened within six months (2026) ${Date.now()}`, timeoutMs: 90_000 });
  }, 120_000);

  it('SDK v1 client, 2025-11-25: plan_create → plan_status → plan_file_info → download → the report as a resource', async () => {
    await runAgentFlow(legacy, { prompt: `A repair café in Leuven, opened within six months (2025) ${Date.now()}`, timeoutMs: 90_000 });
  }, 120_000);
});
