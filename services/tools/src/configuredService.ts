import type { DownloadTokens, KeyCache } from '@planexe/auth';
import type { ToolsConfig } from '@planexe/config';
import { loadExamplePrompts, normaliseModelProfile } from '@planexe/contracts';
import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { createToolsService, type ToolsService } from './app.ts';
import { FileModelCatalog, type ModelCatalog } from '@planexe/llm';
import { StatusCache } from './statusCache.ts';
import { conformanceExtensions } from './conformanceGate.ts';

/** The config slice the tools read (the tools' and the standalone's schema both have it). */
export type ToolsServiceConfig = Pick<
  ToolsConfig,
  | 'PLANEXE_MCP_REQUIRE_USER_KEY'
  | 'PLANEXE_API_KEY_SECRET'
  | 'PLANEXE_DEDUP_WINDOW_SECONDS'
  | 'PLANEXE_MCP_PUBLIC_BASE_URL'
  | 'PLANEXE_WORKER_PLAN_URL'
  | 'PLANEXE_MODEL_PROFILE'
  | 'PLANEXE_MCP_MAX_BODY_BYTES'
  | 'PLANEXE_DOWNLOAD_TOKEN_TTL'
  | 'PLANEXE_CONFIG_PATH'
  | 'PLANEXE_LLM_CONFIG_CUSTOM_FILENAME'
  | 'PLANEXE_LLM_CONFIG_WHITELISTED_CLASSES'
  | 'PLANEXE_MCP_REQUIRE_AUTH'
>;

export interface ConfiguredToolsDeps {
  db: Db;
  queue: PlanQueue;
  bus: ProgressBus;
  tokens: DownloadTokens;
  keyCache: KeyCache;
  log: Logger;
  config: ToolsServiceConfig;
  models?: ModelCatalog;
  /** Where PLANEXE_CONFORMANCE_FIXTURES is read (default: the process environment). */
  env?: Record<string, string | undefined>;
}

/** The tools service wired from config the same way in every run mode (standalone app, distributed tools main). */
export async function createConfiguredToolsService(d: ConfiguredToolsDeps): Promise<{ service: ToolsService; close(): Promise<void> }> {
  const c = d.config;
  const statusCache = new StatusCache(d.bus);
  const service = await createToolsService(
    {
      db: d.db,
      queue: d.queue,
      bus: d.bus,
      tokens: d.tokens,
      keyCache: d.keyCache,
      models: d.models ?? new FileModelCatalog(c),
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
    {
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
      downloadTokenTtlSeconds: c.PLANEXE_DOWNLOAD_TOKEN_TTL,
      extensions: conformanceExtensions(d.env ?? process.env, c.PLANEXE_MCP_REQUIRE_AUTH),
    },
  );
  return {
    service,
    close: async () => {
      await statusCache.close();
      await service.close();
    },
  };
}
