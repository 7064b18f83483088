import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import { TOOL_NAMES } from '@planexe/contracts';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { createUserWithKey, payloadOf, TEST_SECRET } from '../../../tests/harness/testServer.ts';
import type { DbHandle } from '@planexe/db';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const hasPg = await postgresAvailable();

describe('MCP tool surface over stdio', () => {
  let client: Client;
  let dbh: DbHandle & { url?: string };
  let key: string | undefined;

  beforeAll(async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PLANEXE_API_KEY_SECRET: TEST_SECRET, PLANEXE_LOG_LEVEL: 'silent' };
    if (hasPg) {
      dbh = await createTestPostgresDb();
      env.SQLALCHEMY_DATABASE_URI = dbh.url!;
      key = (await createUserWithKey(dbh.db)).key;
    } else {
      env.PLANEXE_DATA_DIR = 'memory://';
    }
    client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'services/tools/src/stdio.ts'], cwd: root, env, stderr: 'pipe' }),
    );
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await dbh?.close();
  });

  it('lists the same tools with input and output schemas under the stdio server name', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    expect(tools.every((t) => t.outputSchema?.type === 'object')).toBe(true);
    expect(client.getServerVersion()?.name).toBe('planexe-mcp-cloud');
  });

  it('creates a plan without URLs (no HTTP request), and reports it', async () => {
    const created = payloadOf(await client.callTool({ name: 'plan_create', arguments: { prompt: 'Plan a community orchard in Leeds', user_api_key: key } }));
    expect(created.plan_id).toBeDefined();
    expect(created.sse_url).toBeUndefined();
    const status = payloadOf(await client.callTool({ name: 'plan_status', arguments: { plan_id: created.plan_id, user_api_key: key } }));
    expect(status.state).toBe('pending');
  });

  it('answers errors with contract codes: unknown tool, bad key, missing field', async () => {
    const unknown = await client.callTool({ name: 'nope', arguments: {} });
    expect(unknown.isError).toBe(true);
    expect(payloadOf(unknown).error.code).toBe('INVALID_TOOL');
    const badKey = await client.callTool({ name: 'plan_create', arguments: { prompt: 'x', user_api_key: 'pex_wrong' } });
    expect(payloadOf(badKey).error.code).toBe('INVALID_USER_API_KEY');
    const missing = await client.callTool({ name: 'plan_stop', arguments: {} });
    expect(payloadOf(missing).error.code).toBe('INVALID_ARGUMENT');
  });
});

describe('MCP over stdio, 2026-07-28', () => {
  it('the SDK v2 client pinned to 2026-07-28 lists the tools and gets contract errors (the era chosen by its opening)', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PLANEXE_DATA_DIR: 'memory://', PLANEXE_LOG_LEVEL: 'silent' };
    const client = new ModernClient({ name: 'stdio-2026', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' }, probe: { timeoutMs: 120_000 } } });
    // on stdio the SDK probes with server/discover in a disposable sibling process, then starts the session's own
    await client.connect(new ModernStdioTransport({ command: process.execPath, args: ['--import', 'tsx', 'services/tools/src/stdio.ts'], cwd: root, env, stderr: 'pipe' }));
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
      const r = (await client.callTool({ name: 'plan_status', arguments: { plan_id: 'no-such-plan' } })) as any;
      expect(r.isError).toBe(true);
      expect(r.structuredContent.error.code).toBe('PLAN_NOT_FOUND');
    } finally {
      await client.close();
    }
  }, 240_000);
});
