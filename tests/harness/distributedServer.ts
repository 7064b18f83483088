import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServiceConfig } from '@planexe/config';
import { pingDb, type DbHandle } from '@planexe/db';
import { MemoryBus, MemoryLimits, MemoryQueue, type Limits } from '@planexe/infra';
import { silentLogger, type Logger } from '@planexe/telemetry';
import { gatewayFromConfig, type Edge, type HealthCheck } from '@planexe/gateway';
import { createToolsApp } from '@planexe/tools';
import { toolsFromConfig } from '@planexe/tools/configuredService';
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
  const tools = await toolsFromConfig(config, { db: dbh.db, queue, bus, log: silentLogger() });
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
    PLANEXE_TOOLS_URL: o.tools ?? CLOSED,
    PLANEXE_STREAM_URL: o.stream ?? CLOSED,
    PLANEXE_ARTIFACTS_URL: o.artifacts ?? CLOSED,
    ...o.env,
  });
  const edge = gatewayFromConfig(config, {
    db: dbh.db,
    limits: o.limits ?? new MemoryLimits(),
    limitsDegraded: o.limitsDegraded,
    log: o.log ?? silentLogger(),
    bindHost: '127.0.0.1',
    health: o.health ?? { database: () => pingDb(dbh.db) },
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
