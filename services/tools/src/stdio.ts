import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { anonymousCaller, DownloadTokens, KeyCache } from '@planexe/auth';
import { loadServiceConfigOrExit, postgresUrl } from '@planexe/config';
import { loadExamplePrompts, normaliseModelProfile } from '@planexe/contracts';
import { createPgliteDb, createPostgresDb, migrate } from '@planexe/db';
import { MemoryBus, MemoryQueue } from '@planexe/infra';
import { createLogger } from '@planexe/telemetry';
import { ToolRegistry } from './registry.ts';
import { createMcpServerFactory } from './mcpServer.ts';
import { FileModelCatalog } from '@planexe/llm';

/**
 * stdio entry (contributor mode): the same tools over stdin/stdout. There is no HTTP request, so no download_url or
 * sse_url, and the caller is identified only by a `user_api_key` argument. Logs go to stderr.
 */
const config = loadServiceConfigOrExit('tools', 'planexe');
const log = createLogger('planexe-tools-stdio', config.PLANEXE_LOG_LEVEL);
const url = postgresUrl(config);
const dbh = url ? createPostgresDb(url, { max: 4 }) : await createPgliteDb(config.PLANEXE_DATA_DIR);
await migrate(dbh.db);
const registry = new ToolRegistry(
  {
    db: dbh.db,
    queue: new MemoryQueue(),
    bus: new MemoryBus(),
    tokens: new DownloadTokens([config.PLANEXE_DOWNLOAD_TOKEN_SECRET, config.PLANEXE_API_KEY_SECRET], config.PLANEXE_DOWNLOAD_TOKEN_TTL),
    keyCache: new KeyCache(),
    models: new FileModelCatalog(config),
    log,
    examplePrompts: loadExamplePrompts(),
    settings: {
      requireUserKey: config.PLANEXE_MCP_REQUIRE_USER_KEY,
      apiKeySecret: config.PLANEXE_API_KEY_SECRET,
      dedupWindowSeconds: config.PLANEXE_DEDUP_WINDOW_SECONDS,
      publicBaseUrl: config.PLANEXE_MCP_PUBLIC_BASE_URL,
      workerPlanUrl: config.PLANEXE_WORKER_PLAN_URL,
      defaultProfile: normaliseModelProfile(config.PLANEXE_MODEL_PROFILE),
      resourceMaxInlineBytes: config.PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES,
    },
  },
  { downloadTokenTtlSeconds: config.PLANEXE_DOWNLOAD_TOKEN_TTL },
);
// the SDK v2 entry picks the era from the opening message: a 2025 initialize pins a 2025 instance, a 2026-07-28
// server/discover or enveloped request a modern one, from the same factory
const handle = serveStdio(
  createMcpServerFactory(registry, {
    surface: 'stdio',
    defaultContext: () => ({ caller: anonymousCaller(), surface: 'stdio', baseUrl: config.PLANEXE_MCP_PUBLIC_BASE_URL }),
  }),
  { onerror: (err) => log.warn({ err: err.message }, 'stdio transport error') },
);
const stop = async () => {
  await handle.close();
  await dbh.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.on('SIGTERM', () => void stop());
