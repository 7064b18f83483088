import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { loadServiceConfig } from '@planexe/config';
import type { DbHandle } from '@planexe/db';
import { MemoryQueue, NatsBus } from '@planexe/infra';
import { createTestPgliteDb, natsAvailable, NATS_URL } from '@planexe/testing/infra';
import { silentLogger } from '@planexe/telemetry';
import { createUserWithKey, TEST_SECRET } from '../../../tests/harness/testServer.ts';
import { INTERNAL_SECRET, listen, startGateway, type Listening } from '../../../tests/harness/distributedServer.ts';
import { createToolsApp } from '../src/app.ts';
import { toolsFromConfig, type ConfiguredTools } from '../src/configuredService.ts';

const ready = await natsAvailable();
const textOf = (r: unknown) => ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');

interface Replica {
  bus: NatsBus;
  tools: ConfiguredTools;
  http: Listening;
  gateway: Awaited<ReturnType<typeof startGateway>>;
}

/**
 * Two tools replicas, each behind its own gateway, over NATS: a 2025 call that asks the client runs on replica A,
 * and the client's answer POST reaches replica B (as a load balancer may send it). B sees from the answer's wire id
 * that A holds the call and relays it on A's bus subject; A delivers it to the call if the caller is the call's.
 */
describe.skipIf(!ready)('2025 leg: a client\'s answer that reaches another tools replica (NATS)', () => {
  let dbh: DbHandle;
  const replicas: Replica[] = [];
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    const namespace = `answers-${randomBytes(5).toString('hex')}`;
    const config = loadServiceConfig('tools', { PLANEXE_API_KEY_SECRET: TEST_SECRET, PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET, PLANEXE_MCP_REQUIRE_AUTH: 'false' });
    for (let i = 0; i < 2; i++) {
      const bus = await NatsBus.connect({ servers: NATS_URL, namespace });
      const tools = await toolsFromConfig(config, { db: dbh.db, queue: new MemoryQueue(), bus, log: silentLogger(), env: { PLANEXE_CONFORMANCE_FIXTURES: '1' } });
      const http = await listen(createToolsApp(tools.service, { internalSecret: INTERNAL_SECRET, log: silentLogger() }).callback());
      const gateway = await startGateway(dbh, { tools: http.url });
      replicas.push({ bus, tools, http, gateway });
    }
  }, 60_000);
  afterAll(async () => {
    for (const r of replicas) {
      await r.gateway.close();
      await r.http.close();
      await r.tools.close();
      await r.bus.close();
    }
    await dbh?.close();
  });

  /** The SDK v1 client on gateway A whose answer POSTs (bodies without a method) go to gateway B. */
  async function splitClient(headers: Record<string, string>, rerouted: string[]): Promise<Client> {
    const [a, b] = replicas;
    const split: typeof fetch = (input, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: unknown; id?: unknown }) : undefined;
      if (init?.method === 'POST' && body && !('method' in body)) {
        rerouted.push(String(body.id));
        return fetch(b.gateway.mcpUrl, init);
      }
      return fetch(input, init);
    };
    const client = new Client({ name: 'planexe-split-client', version: '1.0.0' }, { capabilities: { elicitation: {}, sampling: {} } });
    await client.connect(new StreamableHTTPClientTransport(new URL(a.gateway.mcpUrl), { requestInit: { headers }, fetch: split }));
    return client;
  }

  it('the answer POSTed to replica B reaches the call on replica A', async () => {
    const rerouted: string[] = [];
    const client = await splitClient({}, rerouted);
    try {
      client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
      expect(textOf(r)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
      expect(rerouted).toHaveLength(1);
      const [a, b] = replicas.map((x) => x.tools.service.answers!);
      expect(rerouted[0].split('.')[0]).toBe(a.replica);
      expect(a.replica).not.toBe(b.replica);
      expect(a.pending + b.pending).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("another caller's answer relayed from replica B is not delivered; the caller's own is", async () => {
    const alice = await createUserWithKey(dbh.db);
    const bob = await createUserWithKey(dbh.db);
    const rerouted: string[] = [];
    const client = await splitClient({ 'x-api-key': alice.key }, rerouted);
    try {
      const forged: number[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (_req, extra) => {
        const res = await fetch(replicas[1].gateway.mcpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', 'x-api-key': bob.key },
          body: JSON.stringify({ jsonrpc: '2.0', id: extra.requestId, result: { action: 'accept', content: { username: 'mallory', email: 'm@example.com' } } }),
        });
        forged.push(res.status);
        // give the relayed forgery time to reach replica A before the real answer
        await new Promise((r) => setTimeout(r, 200));
        return { action: 'accept', content: { username: 'alice', email: 'alice@example.com' } };
      });
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
      expect(forged).toEqual([202]);
      expect(rerouted).toHaveLength(1);
      expect(textOf(r)).toContain('"username":"alice"');
      expect(textOf(r)).not.toContain('mallory');
    } finally {
      await client.close();
    }
  });
});
