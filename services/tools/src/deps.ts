import type { Db } from '@planexe/db';
import type { PlanQueue, ProgressBus } from '@planexe/infra';
import type { Caller, DownloadTokens, KeyCache } from '@planexe/auth';
import type { ModelProfile } from '@planexe/contracts';
import type { Logger } from '@planexe/telemetry';
import type { ModelCatalog } from '@planexe/llm';
import type { StatusCache } from './statusCache.ts';
import type { PlanWaits, ProgressSink } from './planWait.ts';

/** Settings the tool handlers read (a slice of the tools service config). */
export interface ToolSettings {
  requireUserKey: boolean;
  apiKeySecret?: string;
  dedupWindowSeconds: number;
  publicBaseUrl?: string;
  workerPlanUrl?: string;
  defaultProfile: ModelProfile;
  /** PLANEXE_MCP_RESOURCE_MAX_INLINE_BYTES: the largest plan file resources/read returns inline. */
  resourceMaxInlineBytes: number;
}

/** Everything the tools need, passed in explicitly (never read from process.env here). */
export interface ToolDeps {
  db: Db;
  queue: PlanQueue;
  bus: ProgressBus;
  tokens: DownloadTokens;
  keyCache: KeyCache;
  models: ModelCatalog;
  settings: ToolSettings;
  log: Logger;
  examplePrompts: string[];
  /** Push-invalidated plan_status rows; absent = always read the database. */
  statusCache?: StatusCache;
  /** plan_status `wait_seconds`; absent = a wait answers at once (stdio has no caps to count it against). */
  waits?: PlanWaits;
}

export type Surface = 'http' | 'rest' | 'stdio';

/** Per-call context: who is calling and how to build absolute URLs. */
export interface ToolContext {
  caller: Caller;
  surface: Surface;
  /** `<scheme>://<host>` for download_url / sse_url; undefined on stdio without a configured base. */
  baseUrl?: string;
  /** The address connection caps count by (HTTP surfaces). */
  clientAddress?: string;
  /** Aborted when the caller goes away or cancels the request: long work (a plan_status wait) stops. */
  signal?: AbortSignal;
  /** `notifications/progress` for this request; present only when the caller passed a progressToken (MCP). */
  progress?: ProgressSink;
}
