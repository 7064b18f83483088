import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { DownloadTokens } from '@planexe/auth';
import type { StandaloneConfig } from '@planexe/config';
import { pingDb, type Db } from '@planexe/db';
import type { Limits, PlanQueue, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { createEdge, notFound, type Lifecycle } from '@planexe/gateway';
import type { ModelCatalog } from '@planexe/llm';
import type { ToolsService } from '@planexe/tools';
import { toolsFromConfig } from '@planexe/tools/configuredService';
import { streamFromConfig, type StreamService } from '@planexe/stream';
import { artifactsFromConfig, type ArtifactsService } from '@planexe/artifacts';

export interface StandaloneDeps {
  db: Db;
  queue: PlanQueue;
  bus: ProgressBus;
  limits: Limits;
  config: StandaloneConfig;
  log: Logger;
  models?: ModelCatalog;
  /** Host the server binds to (drives the DNS-rebinding guard). */
  bindHost: string;
  /** More in-process services mounted after the tools (e.g. stream, artifacts), behind the same edge. */
  services?: Middleware[];
}

export interface Standalone {
  app: Koa;
  tools: ToolsService;
  tokens: DownloadTokens;
  lifecycle: Lifecycle;
  stream: StreamService;
  artifacts: ArtifactsService;
  /** First step of a shutdown: /readyz answers 503, plan_status waits answer now. */
  drain(): void;
  close(): Promise<void>;
}

/**
 * Every service's routes in one Koa app, behind exactly the edge the distributed gateway runs (auth, CORS, body
 * size, rate limits on the in-memory limiter, discovery, health, docs); the caller reaches the tools through
 * ctx.state instead of a forwarded header.
 */
export async function createStandaloneApp(d: StandaloneDeps): Promise<Standalone> {
  const edge = createEdge({
    db: d.db,
    limits: d.limits,
    config: d.config,
    log: d.log,
    bindHost: d.bindHost,
    serviceName: 'planexe-standalone',
    health: { database: () => pingDb(d.db), bus: () => d.bus.isConnected() },
  });
  const c = d.config;
  // every service from its own factory, on the same config and adapters, sharing the edge's token signer
  const tools = await toolsFromConfig(c, { db: d.db, queue: d.queue, bus: d.bus, limits: d.limits, tokens: edge.tokens, keyCache: edge.keyCache, log: d.log, models: d.models });
  // SSE and downloads in the same process, behind the same edge; in-memory caps (one process holds every stream).
  // One process: a slot lease longer than any stream is never renewed (in-memory renewals would scan every slot)
  const stream = streamFromConfig(c, { db: d.db, bus: d.bus, limits: d.limits, log: d.log }, { slotLeaseMs: (c.PLANEXE_SSE_MAX_DURATION + 60) * 1000 });
  const artifacts = artifactsFromConfig(c, { db: d.db, tokens: edge.tokens, log: d.log });
  edge.app.use(stream.middleware);
  edge.app.use(artifacts.middleware);
  edge.app.use(tools.service.middleware);
  for (const s of d.services ?? []) edge.app.use(s);
  edge.app.use(notFound());
  edge.lifecycle.markReady();
  return {
    app: edge.app,
    tools: tools.service,
    tokens: edge.tokens,
    lifecycle: edge.lifecycle,
    stream,
    artifacts,
    drain: () => {
      edge.lifecycle.markStopping();
      tools.drain();
    },
    close: async () => {
      edge.lifecycle.markStopping();
      tools.drain();
      await stream.close();
      await artifacts.close();
      await tools.close();
    },
  };
}
