-- Initial schema. Column names follow the upstream PlanExe database (spec/data-and-worker.md §1) so existing
-- rows and the web frontend keep working; timestamps are `timestamp without time zone` holding UTC.
DO $$ BEGIN
  CREATE TYPE planstate AS ENUM ('pending', 'processing', 'completed', 'failed', 'stopped');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN
  CREATE TYPE eventtype AS ENUM ('GENERIC_ERROR', 'GENERIC_EVENT', 'TASK_PENDING', 'TASK_PROCESSING', 'TASK_FAILED', 'TASK_COMPLETED');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE TABLE IF NOT EXISTS user_account (
  id uuid PRIMARY KEY,
  created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  email varchar(256),
  name varchar(256),
  given_name varchar(256),
  family_name varchar(256),
  locale varchar(32),
  avatar_url varchar(1024),
  is_admin boolean NOT NULL DEFAULT false,
  free_plan_used boolean NOT NULL DEFAULT false,
  credits_balance numeric(18, 9) NOT NULL DEFAULT 0,
  last_login_at timestamp,
  frontend_multi_user_config json
);
CREATE INDEX IF NOT EXISTS ix_user_account_email ON user_account (email);

CREATE TABLE IF NOT EXISTS user_api_key (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  key_hash varchar(128) NOT NULL UNIQUE,
  key_prefix varchar(16) NOT NULL,
  label varchar(128),
  key_plaintext varchar(64),
  created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  last_used_at timestamp,
  revoked_at timestamp
);
CREATE INDEX IF NOT EXISTS ix_user_api_key_user_id ON user_api_key (user_id);
CREATE INDEX IF NOT EXISTS ix_user_api_key_key_prefix ON user_api_key (key_prefix);

CREATE TABLE IF NOT EXISTS credit_history (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  delta numeric(18, 9) NOT NULL,
  reason varchar(128) NOT NULL,
  source varchar(32) NOT NULL,
  external_id varchar(256),
  api_key_id varchar(36),
  created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS ix_credit_history_user_id ON credit_history (user_id);
CREATE INDEX IF NOT EXISTS ix_credit_history_api_key_id ON credit_history (api_key_id);
CREATE INDEX IF NOT EXISTS ix_credit_history_external ON credit_history (source, external_id);
-- At most one final charge per plan: the worker's billing is exactly-once even when a job is redelivered.
CREATE UNIQUE INDEX IF NOT EXISTS ux_credit_history_final_usage ON credit_history (external_id) WHERE source = 'usage_billing';

CREATE TABLE IF NOT EXISTS plans (
  id uuid PRIMARY KEY,
  timestamp_created timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  state planstate,
  prompt text NOT NULL,
  progress_percentage numeric(5, 2) NOT NULL DEFAULT 0,
  progress_message varchar(128),
  steps_completed integer,
  steps_total integer,
  current_step varchar(128),
  last_seen_timestamp timestamp DEFAULT (now() AT TIME ZONE 'utc'),
  stop_requested boolean DEFAULT false,
  stop_requested_timestamp timestamp,
  user_id varchar(256) NOT NULL,
  api_key_id varchar(36),
  parameters json,
  generated_report_html text,
  run_zip_snapshot bytea,
  run_track_activity_jsonl text,
  run_track_activity_bytes integer,
  run_activity_overview_json json,
  run_artifact_layout_version integer,
  failure_reason varchar(64),
  failed_step varchar(128),
  error_message varchar(256),
  recoverable boolean,
  last_progress_at timestamp,
  -- ours: every run of a plan has an attempt number; worker writes are conditional on it.
  attempt integer NOT NULL DEFAULT 0,
  -- ours: bumped on every write, the id of the plan's progress events.
  state_version bigint NOT NULL DEFAULT 0,
  -- ours: which worker runs the current attempt and when it last showed life (for the reaper).
  claimed_by varchar(255),
  heartbeat_at timestamp,
  -- ours: a completed plan the operator published for example_plans.
  is_example boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS idx_plans_user_id_timestamp_created ON plans (user_id, timestamp_created DESC);
CREATE INDEX IF NOT EXISTS idx_plans_api_key_id ON plans (api_key_id);
CREATE INDEX IF NOT EXISTS idx_plans_state_created ON plans (state, timestamp_created);

-- ours: every step output, so any worker can resume a plan. The run dir is only a cache.
CREATE TABLE IF NOT EXISTS plan_files (
  plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  filename varchar(255) NOT NULL,
  step varchar(128),
  content bytea NOT NULL,
  byte_size integer NOT NULL,
  sha256 char(64) NOT NULL,
  updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  PRIMARY KEY (plan_id, filename)
);

CREATE TABLE IF NOT EXISTS events (
  id serial PRIMARY KEY,
  "timestamp" timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  event_type eventtype NOT NULL,
  message text NOT NULL,
  context json
);
CREATE INDEX IF NOT EXISTS ix_events_timestamp ON events ("timestamp");
CREATE INDEX IF NOT EXISTS ix_events_event_type ON events (event_type);

CREATE TABLE IF NOT EXISTS workers (
  id varchar(255) PRIMARY KEY,
  started_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  last_heartbeat_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  current_task_id varchar(255)
);
CREATE INDEX IF NOT EXISTS ix_workers_last_heartbeat_at ON workers (last_heartbeat_at);
CREATE INDEX IF NOT EXISTS ix_workers_current_task_id ON workers (current_task_id);

CREATE TABLE IF NOT EXISTS feedback_item (
  id varchar(36) PRIMARY KEY,
  received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  category varchar(32) NOT NULL,
  message text NOT NULL,
  plan_id varchar(36),
  rating integer,
  user_id varchar(36),
  plan_progress_pct double precision,
  plan_state varchar(16),
  plan_current_step varchar(128)
);
CREATE INDEX IF NOT EXISTS ix_feedback_item_received_at ON feedback_item (received_at);

CREATE TABLE IF NOT EXISTS token_metrics (
  id serial PRIMARY KEY,
  "timestamp" timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  llm_model varchar(256),
  task_id varchar(64),
  user_id varchar(256),
  api_key_id varchar(36),
  step varchar(128),
  upstream_provider varchar(128),
  upstream_model varchar(256),
  input_tokens integer,
  output_tokens integer,
  thinking_tokens integer,
  cost_usd numeric(18, 9),
  duration_seconds double precision,
  success boolean,
  error_message text,
  raw_usage_data json
);
CREATE INDEX IF NOT EXISTS ix_token_metrics_task_id ON token_metrics (task_id);
