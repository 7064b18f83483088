import Koa from 'koa';
import { DownloadTokens, KeyCache } from '@planexe/auth';
import { loadExamplePrompts, normaliseModelProfile } from '@planexe/contracts';
import type { StandaloneConfig } from '@planexe/config';
import { pingDb, type Db } from '@planexe/db';
import type { Limits, PlanQueue, ProgressBus } from '@planexe/infra';
import { hostGuard } from '@planexe/http';
import type { Logger } from '@planexe/telemetry';
import { accessLog, discoveryRouter, edgeAuth, errorBoundary, normalisePath } from '@planexe/gateway';
import { createToolsService, FileModelCatalog, StatusCache, type ModelCatalog, type ToolsService } from '@planexe/tools';

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
}

export interface Standalone {
  app: Koa;
  tools: ToolsService;
  tokens: DownloadTokens;
  close(): Promise<void>;
}

/** Every service's routes in one Koa app, behind the same edge middleware the gateway runs. */
export async function createStandaloneApp(d: StandaloneDeps): Promise<Standalone> {
  const c = d.config;
  const tokens = new DownloadTokens([c.PLANEXE_DOWNLOAD_TOKEN_SECRET, c.PLANEXE_API_KEY_SECRET], c.PLANEXE_DOWNLOAD_TOKEN_TTL);
  const keyCache = new KeyCache(5_000);
  const models = d.models ?? new FileModelCatalog(c);
  const statusCache = new StatusCache(d.bus);
  const tools = await createToolsService(
    {
      db: d.db,
      queue: d.queue,
      bus: d.bus,
      tokens,
      keyCache,
      models,
      log: d.log,
      examplePrompts: loadExamplePrompts(),
      statusCache,
      settings: {
        requireUserKey: c.PLANEXE_MCP_REQUIRE_USER_KEY,
        apiKeySecret: c.PLANEXE_API_KEY_SECRET,
        dedupWindowSeconds: c.PLANEXE_DEDUP_WINDOW_SECONDS,
        publicBaseUrl: c.PLANEXE_MCP_PUBLIC_BASE_URL,
        workerPlanUrl: c.PLANEXE_WORKER_PLAN_URL,
        defaultProfile: normaliseModelProfile(c.PLANEXE_MODEL_PROFILE),
      },
    },
    { maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES, downloadTokenTtlSeconds: c.PLANEXE_DOWNLOAD_TOKEN_TTL },
  );
  const app = new Koa({ proxy: false });
  const discovery = discoveryRouter({
    requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH,
    glamaEmail: c.PLANEXE_MCP_GLAMA_MAINTAINER_EMAIL,
    health: { database: () => pingDb(d.db), bus: async () => d.bus.isConnected() },
  });
  app.use(errorBoundary(d.log));
  app.use(accessLog(d.log));
  app.use(hostGuard(d.bindHost));
  app.use(normalisePath());
  app.use(discovery.routes());
  app.use(
    edgeAuth({
      db: d.db,
      auth: { requireAuth: c.PLANEXE_MCP_REQUIRE_AUTH, sharedKey: c.PLANEXE_MCP_API_KEY, apiKeySecret: c.PLANEXE_API_KEY_SECRET },
      keyCache,
      tokens,
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
      log: d.log,
    }),
  );
  app.use(tools.middleware);
  app.use(async (ctx) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: 'Not Found' }, detail: 'Not Found' };
  });
  return {
    app,
    tools,
    tokens,
    close: async () => {
      await statusCache.close();
      await tools.close();
    },
  };
}
