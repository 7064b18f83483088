import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { loadServiceConfig } from '@planexe/config';
import type { DbHandle } from '@planexe/db';
import { createUser } from '@planexe/db';
import { issueApiKey } from '@planexe/auth';
import { MemoryBus, MemoryLimits, MemoryQueue } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { createStandaloneApp, startInProcessWorker, type Standalone } from '@planexe/standalone';
import { ReachabilityModelCatalog } from '@planexe/llm';
import { PIPELINE_STEPS, type PlanWorker, type StepDef } from '@planexe/worker';

export interface TestServer {
  url: string;
  mcpUrl: string;
  port: number;
  db: DbHandle['db'];
  queue: MemoryQueue;
  bus: MemoryBus;
  standalone: Standalone;
  server: Server;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-api-key-secret';

/** The standalone app on an ephemeral loopback port over the given (real) database. */
export interface WorkerOption {
  /** PLANEXE_CONFIG_PATH whose llm_config points at the fake LLM. */
  configDir: string;
  /** Env for ${VAR} substitution in profile files. */
  llmEnv: Record<string, string>;
  steps?: StepDef[];
}

export async function startTestServer(
  dbh: DbHandle,
  env: Record<string, string> = {},
  worker?: WorkerOption,
  /** Extra in-process services behind the edge (e.g. a fake artifacts route). */
  services: Middleware[] = [],
): Promise<TestServer> {
  const config = loadServiceConfig('standalone', {
    PLANEXE_MCP_REQUIRE_AUTH: 'false',
    PLANEXE_API_KEY_SECRET: TEST_SECRET,
    // the limiter stays in the chain, with a budget no functional test reaches (rate-limit tests set their own)
    PLANEXE_MCP_RATE_LIMIT: '100000',
    PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: '100000',
    ...(worker ? { PLANEXE_CONFIG_PATH: worker.configDir, PLANEXE_RUN_DIR: `${worker.configDir}/run` } : {}),
    ...env,
  });
  const models = worker ? new ReachabilityModelCatalog(config, { ...process.env, ...worker.llmEnv }) : undefined;
  const queue = new MemoryQueue();
  const bus = new MemoryBus();
  const standalone = await createStandaloneApp({
    db: dbh.db,
    queue,
    bus,
    limits: new MemoryLimits(),
    config,
    log: silentLogger(),
    // the server always listens on loopback; PLANEXE_MCP_HTTP_HOST=0.0.0.0 turns the DNS-rebinding guard off
    bindHost: config.PLANEXE_MCP_HTTP_HOST,
    models,
    services,
  });
  let planWorker: PlanWorker | undefined;
  if (worker) {
    const steps = worker.steps ?? PIPELINE_STEPS;
    planWorker = await startInProcessWorker({ db: dbh.db, bus, queue, log: silentLogger(), config, steps, env: { ...process.env, ...worker.llmEnv } });
  }
  const server = createServer(standalone.app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    mcpUrl: `${url}/mcp`,
    port,
    db: dbh.db,
    queue,
    bus,
    standalone,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await planWorker?.stop();
      await queue.close();
      await standalone.close();
    },
  };
}

/**
 * startTestServer with the conformance fixtures on (tools that log, report progress, ask the client, mirror headers):
 * PLANEXE_CONFORMANCE_FIXTURES is read once at start-up, so it is set for the start and removed again.
 */
export async function startFixtureServer(dbh: DbHandle): Promise<TestServer> {
  process.env.PLANEXE_CONFORMANCE_FIXTURES = '1';
  return startTestServer(dbh).finally(() => delete process.env.PLANEXE_CONFORMANCE_FIXTURES);
}

/** The real MCP SDK client over Streamable HTTP, with optional headers (e.g. X-API-Key). */
export async function connectClient(mcpUrl: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'planexe-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
  return client;
}

/** The SDK v2 client pinned to protocol revision 2026-07-28 (per-request envelope, no initialize, no session). */
export async function connectModernClient(mcpUrl: string, opts: { headers?: Record<string, string>; fetch?: typeof fetch } = {}): Promise<ModernClient> {
  const client = new ModernClient({ name: 'planexe-test-2026', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernHttpTransport(new URL(mcpUrl), { requestInit: { headers: opts.headers ?? {} }, fetch: opts.fetch }));
  return client;
}

/** A user with credits and a fresh API key. */
export async function createUserWithKey(db: DbHandle['db'], credits = 10, secret = TEST_SECRET) {
  const user = await createUser(db, { email: `u${Math.random().toString(36).slice(2)}@example.com`, credits });
  const { key, row } = await issueApiKey(db, user.id, secret, 'test');
  return { user, key, keyRow: row };
}

/** Parses the single text item of a tool result and checks it equals structuredContent. */
export function payloadOf(result: any): any {
  const text = result.content?.[0]?.text;
  const parsed = JSON.parse(text);
  if (JSON.stringify(parsed) !== JSON.stringify(result.structuredContent)) throw new Error('text and structuredContent differ');
  return parsed;
}
