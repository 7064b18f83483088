import { downloadTokensFromConfig, KeyCache, type DownloadTokenConfig, type DownloadTokens } from '@planexe/auth';
import type { ToolsConfig } from '@planexe/config';
import { loadExamplePrompts, normaliseModelProfile } from '@planexe/contracts';
import type { Db } from '@planexe/db';
import { ConnectionSlots, MemoryLimits, type Limits, type PlanQueue, type ProgressBus } from '@planexe/infra';
import type { Logger } from '@planexe/telemetry';
import { createToolsService, type ToolsService } from './app.ts';
import { FileModelCatalog, type ModelCatalog } from '@planexe/llm';
import { StatusCache } from './statusCache.ts';
import { PlanWaits } from './planWait.ts';
import { conformanceExtensions } from './conformanceGate.ts';

/** The config slice the tools read (the tools' and the standalone's schema both have it). */
export type ToolsServiceConfig = DownloadTokenConfig &
  Pick<
  ToolsConfig,
  | 'PLANEXE_MCP_REQUIRE_USER_KEY'
  | 'PLANEXE_API_KEY_SECRET'
  | 'PLANEXE_DEDUP_WINDOW_SECONDS'
  | 'PLANEXE_MCP_PUBLIC_BASE_URL'
  | 'PLANEXE_WORKER_PLAN_URL'
  | 'PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES'
  | 'PLANEXE_MODEL_PROFILE'
  | 'PLANEXE_MCP_MAX_BODY_BYTES'
  | 'PLANEXE_DOWNLOAD_TOKEN_TTL'
  | 'PLANEXE_CONFIG_PATH'
  | 'PLANEXE_LLM_CONFIG_CUSTOM_FILENAME'
  | 'PLANEXE_LLM_CONFIG_WHITELISTED_CLASSES'
  | 'PLANEXE_MCP_REQUIRE_AUTH'
  | 'PLANEXE_SSE_MAX_CONNECTIONS'
  | 'PLANEXE_SSE_MAX_TOTAL_CONNECTIONS'
>;

export interface ToolsAdapters {
  db: Db;
  queue: PlanQueue;
  bus: ProgressBus;
  log: Logger;
  /**
   * Where the connection caps live (plan_status waits and subscriptions/listen streams hold slots in the SSE
   * groups): RedisLimits in distributed mode, shared with the stream replicas; standalone's MemoryLimits, shared
   * with its stream. Default: a MemoryLimits of this service alone.
   */
  limits?: Limits;
  /** The signer to share (standalone: the edge's); default: built from the config, keyring included. */
  tokens?: DownloadTokens;
  /** Default: a 5 s cache, so a revoked key stops working within 5 s. */
  keyCache?: KeyCache;
  /** Default: the profiles on disk (no reachability probes). */
  models?: ModelCatalog;
  /** Where PLANEXE_CONFORMANCE_FIXTURES is read (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** false: every /mcp request is served by the SDK (mcpPlainCall.test.ts compares this with the default). */
  plainCallLane?: boolean;
}

export interface ConfiguredTools {
  service: ToolsService;
  tokens: DownloadTokens;
  /** First step of a shutdown: plan_status waits answer now instead of outliving the listener. */
  drain(): void;
  close(): Promise<void>;
}

/** The tools service wired from config the same way in every run mode (standalone app, distributed tools main, tests, benchmarks). */
export async function toolsFromConfig(c: ToolsServiceConfig, d: ToolsAdapters): Promise<ConfiguredTools> {
  const tokens = d.tokens ?? downloadTokensFromConfig(c);
  const statusCache = new StatusCache(d.bus);
  const ownLimits = d.limits ? undefined : new MemoryLimits();
  // the stream's groups (`sse:`), so waits, listen streams and SSE streams count against one cap
  const slots = new ConnectionSlots(d.limits ?? ownLimits!, {
    maxPerClient: c.PLANEXE_SSE_MAX_CONNECTIONS,
    maxTotal: c.PLANEXE_SSE_MAX_TOTAL_CONNECTIONS,
    onError: (err) => d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'connection slot error'),
  });
  const waits = new PlanWaits(d.bus, slots);
  const service = await createToolsService(
    {
      db: d.db,
      queue: d.queue,
      bus: d.bus,
      tokens,
      keyCache: d.keyCache ?? new KeyCache(5_000),
      models: d.models ?? new FileModelCatalog(c),
      log: d.log,
      examplePrompts: loadExamplePrompts(),
      statusCache,
      waits,
      settings: {
        requireUserKey: c.PLANEXE_MCP_REQUIRE_USER_KEY,
        apiKeySecret: c.PLANEXE_API_KEY_SECRET,
        dedupWindowSeconds: c.PLANEXE_DEDUP_WINDOW_SECONDS,
        publicBaseUrl: c.PLANEXE_MCP_PUBLIC_BASE_URL,
        workerPlanUrl: c.PLANEXE_WORKER_PLAN_URL,
        defaultProfile: normaliseModelProfile(c.PLANEXE_MODEL_PROFILE),
        resourceMaxInlineBytes: c.PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES,
      },
    },
    {
      maxBodyBytes: c.PLANEXE_MCP_MAX_BODY_BYTES,
      downloadTokenTtlSeconds: c.PLANEXE_DOWNLOAD_TOKEN_TTL,
      extensions: conformanceExtensions(d.env ?? process.env, c.PLANEXE_MCP_REQUIRE_AUTH),
      slots,
      plainCallLane: d.plainCallLane,
    },
  );
  return {
    service,
    tokens,
    drain: () => waits.drain(),
    close: async () => {
      await statusCache.close();
      await service.close();
      slots.stop();
      await ownLimits?.close();
    },
  };
}
