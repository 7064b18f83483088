import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DownloadTokens, KeyCache } from '@planexe/auth';
import { loadServiceConfig } from '@planexe/config';
import { pingDb, type DbHandle } from '@planexe/db';
import { MemoryBus, MemoryLimits, MemoryQueue, type Limits } from '@planexe/infra';
import { silentLogger, type Logger } from '@planexe/telemetry';
import { createGatewayApp, type Edge, type HealthCheck } from '@planexe/gateway';
import { createToolsApp } from '@planexe/tools';
import { createConfiguredToolsService } from '@planexe/tools/configuredService';
import { TEST_SECRET } from './testServer.ts';

export const INTERNAL_SECRET = 'test-internal-secret';

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A request listener on an ephemeral loopback port. */
export async function listen(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The distributed tools service (internal secret required) on its own port, over the given database. */
export async function startToolsService(dbh: DbHandle, env: Record<string, string> = {}) {
  const config = loadServiceConfig('tools', { PLANEXE_API_KEY_SECRET: TEST_SECRET, PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET, ...env });
  const queue = new MemoryQueue();
  const bus = new MemoryBus();
  const tokens = new DownloadTokens([config.PLANEXE_DOWNLOAD_TOKEN_SECRET, config.PLANEXE_API_KEY_SECRET], config.PLANEXE_DOWNLOAD_TOKEN_TTL);
  const tools = await createConfiguredToolsService({ db: dbh.db, queue, bus, tokens, keyCache: new KeyCache(5_000), log: silentLogger(), config });
  const app = createToolsApp(tools.service, { internalSecret: config.PLANEXE_INTERNAL_SECRET!, log: silentLogger() });
  const l = await listen(app.callback());
  return {
    ...l,
    queue,
    close: async () => {
      await l.close();
      await tools.close();
      await queue.close();
    },
  };
}

export interface GatewayOptions {
  env?: Record<string, string>;
  limits?: Limits;
  limitsDegraded?: () => boolean;
  health?: Record<string, HealthCheck>;
  /** Upstream base URLs; unset ones point at a closed port. */
  tools?: string;
  stream?: string;
  artifacts?: string;
  log?: Logger;
}

const CLOSED = 'http://127.0.0.1:9';

/** The gateway app on its own port, proxying to the given upstreams. */
export async function startGateway(dbh: DbHandle, o: GatewayOptions = {}): Promise<Listening & { edge: Edge; mcpUrl: string }> {
  const config = loadServiceConfig('gateway', {
    PLANEXE_MCP_REQUIRE_AUTH: 'false',
    PLANEXE_API_KEY_SECRET: TEST_SECRET,
    PLANEXE_INTERNAL_SECRET: INTERNAL_SECRET,
    PLANEXE_MCP_RATE_LIMIT: '100000',
    PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: '100000',
    ...o.env,
  });
  const edge = createGatewayApp({
    db: dbh.db,
    limits: o.limits ?? new MemoryLimits(),
    limitsDegraded: o.limitsDegraded,
    config,
    log: o.log ?? silentLogger(),
    bindHost: '127.0.0.1',
    health: o.health ?? { database: () => pingDb(dbh.db) },
    upstreams: { tools: o.tools ?? CLOSED, stream: o.stream ?? CLOSED, artifacts: o.artifacts ?? CLOSED },
    internalSecret: config.PLANEXE_INTERNAL_SECRET!,
    upstreamTimeoutMs: config.PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS * 1000,
  });
  edge.lifecycle.markReady();
  const l = await listen(edge.app.callback());
  return { ...l, edge, mcpUrl: `${l.url}/mcp` };
}

/** Gateway + separately listening tools service, as in docker compose (stream/artifacts as given). */
export async function startDistributed(dbh: DbHandle, o: GatewayOptions = {}) {
  const tools = await startToolsService(dbh, o.env);
  const gateway = await startGateway(dbh, { ...o, tools: tools.url });
  return {
    tools,
    gateway,
    url: gateway.url,
    mcpUrl: gateway.mcpUrl,
    close: async () => {
      await gateway.close();
      await tools.close();
    },
  };
}
