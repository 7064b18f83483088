import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** numeric columns arrive as strings from Postgres; we write numbers or strings. */
type Numeric = ColumnType<string, string | number | undefined, string | number>;
type Json = ColumnType<unknown, string | undefined | null, string | null>;

export type PlanStateDb = 'pending' | 'processing' | 'completed' | 'failed' | 'stopped';

export interface PlansTable {
  id: string;
  timestamp_created: Timestamp;
  state: PlanStateDb | null;
  prompt: string;
  progress_percentage: Numeric;
  progress_message: string | null;
  steps_completed: number | null;
  steps_total: number | null;
  current_step: string | null;
  last_seen_timestamp: NullableTimestamp;
  stop_requested: boolean | null;
  stop_requested_timestamp: NullableTimestamp;
  user_id: string;
  api_key_id: string | null;
  parameters: Json;
  generated_report_html: string | null;
  /** Legacy form of the zip snapshot (rows written before migration 0003); new snapshots are chunked blobs. */
  run_zip_snapshot: Buffer | null;
  /** The current zip snapshot in artifact_blobs / artifact_chunks (bigint: a string when read). */
  run_zip_blob_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  run_track_activity_jsonl: string | null;
  run_track_activity_bytes: number | null;
  run_activity_overview_json: Json;
  run_artifact_layout_version: number | null;
  failure_reason: string | null;
  failed_step: string | null;
  error_message: string | null;
  recoverable: boolean | null;
  last_progress_at: NullableTimestamp;
  attempt: Generated<number>;
  state_version: ColumnType<string, string | number | undefined, string | number>;
  claimed_by: string | null;
  heartbeat_at: NullableTimestamp;
  is_example: Generated<boolean>;
  /** Re-feeds by the reconciler within one attempt (part of the queue job id). */
  takeover_generation: Generated<number>;
}

export interface PlanFilesTable {
  plan_id: string;
  filename: string;
  step: string | null;
  content: Buffer;
  byte_size: number;
  sha256: string;
  updated_at: Timestamp;
}

export interface UserAccountTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  email: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  avatar_url: string | null;
  is_admin: Generated<boolean>;
  free_plan_used: Generated<boolean>;
  credits_balance: Numeric;
  last_login_at: NullableTimestamp;
  frontend_multi_user_config: Json;
}

export interface UserApiKeyTable {
  id: string;
  user_id: string;
  key_hash: string;
  key_prefix: string;
  label: string | null;
  key_plaintext: string | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface CreditHistoryTable {
  id: string;
  user_id: string;
  delta: Numeric;
  reason: string;
  source: string;
  external_id: string | null;
  api_key_id: string | null;
  created_at: Timestamp;
}

export interface EventsTable {
  id: Generated<number>;
  timestamp: Timestamp;
  event_type: 'GENERIC_ERROR' | 'GENERIC_EVENT' | 'TASK_PENDING' | 'TASK_PROCESSING' | 'TASK_FAILED' | 'TASK_COMPLETED';
  message: string;
  context: Json;
}

export interface WorkersTable {
  id: string;
  started_at: Timestamp;
  last_heartbeat_at: Timestamp;
  current_task_id: string | null;
}

export interface FeedbackItemTable {
  id: string;
  received_at: Timestamp;
  category: string;
  message: string;
  plan_id: string | null;
  rating: number | null;
  user_id: string | null;
  plan_progress_pct: number | null;
  plan_state: string | null;
  plan_current_step: string | null;
}

export interface TokenMetricsTable {
  id: Generated<number>;
  timestamp: Timestamp;
  llm_model: string | null;
  task_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  step: string | null;
  upstream_provider: string | null;
  upstream_model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  thinking_tokens: number | null;
  cost_usd: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  duration_seconds: number | null;
  success: boolean | null;
  error_message: string | null;
  raw_usage_data: Json;
}

/** One immutable stored artifact, written as fixed-size chunks (migration 0003). */
export interface ArtifactBlobsTable {
  id: ColumnType<string, never, never>;
  plan_id: string;
  size: ColumnType<string, number | undefined, number>;
  chunk_bytes: number;
  sha256: string | null;
  created_at: Timestamp;
}

export interface ArtifactChunksTable {
  blob_id: ColumnType<string, string | number, string | number>;
  seq: number;
  data: Buffer;
}

export interface Database {
  plans: PlansTable;
  plan_files: PlanFilesTable;
  user_account: UserAccountTable;
  user_api_key: UserApiKeyTable;
  credit_history: CreditHistoryTable;
  events: EventsTable;
  workers: WorkersTable;
  feedback_item: FeedbackItemTable;
  token_metrics: TokenMetricsTable;
  artifact_blobs: ArtifactBlobsTable;
  artifact_chunks: ArtifactChunksTable;
}

export type PlanRow = Selectable<PlansTable>;
export type NewPlan = Insertable<PlansTable>;
export type PlanUpdate = Updateable<PlansTable>;
export type UserAccount = Selectable<UserAccountTable>;
export type UserApiKey = Selectable<UserApiKeyTable>;
