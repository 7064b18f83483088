import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Db } from './connect.ts';
import type { PlanRow, PlanStateDb } from './schema.ts';

/** Columns status/list queries read: never the large lazy ones (report, zip, activity). */
export const STATUS_COLUMNS = [
  'id',
  'timestamp_created',
  'state',
  'prompt',
  'progress_percentage',
  'progress_message',
  'steps_completed',
  'steps_total',
  'current_step',
  'stop_requested',
  'user_id',
  'api_key_id',
  'parameters',
  'failure_reason',
  'failed_step',
  'error_message',
  'recoverable',
  'last_progress_at',
  'attempt',
  'state_version',
  'is_example',
] as const;
export type PlanStatusRow = Pick<PlanRow, (typeof STATUS_COLUMNS)[number]>;

/**
 * Owner scope of a query. `undefined` = no scope (operators and workers only); otherwise only plans whose
 * `user_id` equals it are visible, so another caller's plan reads as "not found".
 */
export type Owner = string | undefined;

/** Makes a prompt UTF-8 safe as upstream does: NUL characters removed, lone surrogates replaced. */
export function sanitisePrompt(prompt: string): string {
  return prompt.replaceAll('\u0000', '').toWellFormed();
}

export function parseParameters(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string') {
    try {
      const v = JSON.parse(value);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {}
  }
  return {};
}

export interface InsertPlanInput {
  id?: string;
  prompt: string;
  userId: string;
  apiKeyId: string | null;
  parameters: Record<string, unknown>;
}

export async function insertPlan(db: Db, p: InsertPlanInput): Promise<PlanStatusRow> {
  return db
    .insertInto('plans')
    .values({
      id: p.id ?? randomUUID(),
      state: 'pending',
      prompt: sanitisePrompt(p.prompt),
      progress_percentage: 0,
      stop_requested: false,
      user_id: p.userId,
      api_key_id: p.apiKeyId,
      parameters: JSON.stringify(p.parameters),
      state_version: 1,
    })
    .returning(STATUS_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** The newest pending/processing plan of this owner with the same prompt and profile created within the window. */
export async function findDuplicatePlan(
  db: Db,
  q: { userId: string; prompt: string; modelProfile: string; windowSeconds: number },
): Promise<PlanStatusRow | undefined> {
  return db
    .selectFrom('plans')
    .select(STATUS_COLUMNS)
    .where('user_id', '=', q.userId)
    .where('prompt', '=', sanitisePrompt(q.prompt))
    .where('state', 'in', ['pending', 'processing'])
    .where(sql<boolean>`timestamp_created >= (now() at time zone 'utc') - make_interval(secs => ${q.windowSeconds})`)
    .where(sql<string>`(parameters::jsonb)->>'model_profile'`, '=', q.modelProfile)
    .orderBy('timestamp_created', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Lookup by canonical UUID, within the owner's scope. */
export async function getPlan(db: Db, id: string, owner: Owner): Promise<PlanStatusRow | undefined> {
  let q = db.selectFrom('plans').select(STATUS_COLUMNS).where('id', '=', id);
  if (owner !== undefined) q = q.where('user_id', '=', owner);
  return q.executeTakeFirst();
}

/** Status rows of several plans by id, in no owner's scope (a stream's feed, polling the plans it follows). */
export async function getStatusRows(db: Db, ids: string[]): Promise<PlanStatusRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('plans').select(STATUS_COLUMNS).where('id', 'in', ids).execute();
}

/** UUID first, then the legacy `_mcp_task_id` parameter (spec/tools.md §1.6). */
export async function resolvePlanId(db: Db, given: string, uuid: string | null, owner: Owner): Promise<string | undefined> {
  if (uuid) {
    const row = await getPlan(db, uuid, owner);
    if (row) return row.id;
  }
  let q = db
    .selectFrom('plans')
    .select('id')
    .where(sql<string>`(parameters::jsonb)->>'_mcp_task_id'`, '=', given)
    .orderBy('timestamp_created', 'asc')
    .limit(1);
  if (owner !== undefined) q = q.where('user_id', '=', owner);
  return (await q.executeTakeFirst())?.id;
}

export async function listPlans(db: Db, owner: Owner, limit: number): Promise<PlanStatusRow[]> {
  let q = db.selectFrom('plans').select(STATUS_COLUMNS).orderBy('timestamp_created', 'desc').orderBy('id').limit(limit);
  if (owner !== undefined) q = q.where('user_id', '=', owner);
  return q.execute();
}

export type StopResult = { stopped: true; row: PlanStatusRow } | { stopped: false; state: PlanStateDb | null };

/** pending/processing → stopped in one conditional update; two racing calls cannot both win. */
export async function stopPlan(db: Db, id: string): Promise<StopResult> {
  const row = await db
    .updateTable('plans')
    .set({
      state: 'stopped',
      stop_requested: true,
      stop_requested_timestamp: sql`now() at time zone 'utc'` as any,
      progress_message: 'Stop requested by user.',
      state_version: sql`state_version + 1` as any,
    })
    .where('id', '=', id)
    .where('state', 'in', ['pending', 'processing'])
    .returning(STATUS_COLUMNS)
    .executeTakeFirst();
  if (row) return { stopped: true, row };
  const cur = await db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirst();
  return { stopped: false, state: cur?.state ?? null };
}

/** How each superseded attempt ended and when, keyed by attempt: `parameters.attempt_outcomes`. */
export type AttemptOutcomes = Record<string, { state: 'failed' | 'stopped'; ended_at: string }>;

/**
 * The attempt a retry or resume supersedes is recorded with the state it ended in, because the row is about to be
 * overwritten by the next attempt: what an MCP task (one attempt of the plan) reads once its attempt is over.
 */
function withAttemptOutcome(prev: Record<string, unknown>, attempt: number, state: 'failed' | 'stopped'): AttemptOutcomes {
  const outcomes = prev.attempt_outcomes && typeof prev.attempt_outcomes === 'object' ? (prev.attempt_outcomes as AttemptOutcomes) : {};
  return { ...outcomes, [String(attempt)]: { state, ended_at: new Date().toISOString() } };
}

const CLEARED_ON_RETRY = {
  generated_report_html: null,
  run_zip_snapshot: null,
  run_zip_blob_id: null,
  run_track_activity_jsonl: null,
  run_track_activity_bytes: null,
  run_activity_overview_json: null,
  run_artifact_layout_version: null,
  failure_reason: null,
  failed_step: null,
  error_message: null,
  recoverable: null,
  last_progress_at: null,
} as const;

export type RestartResult = { ok: true; row: PlanStatusRow } | { ok: false; state: PlanStateDb | null };

/**
 * failed/stopped → pending from scratch, as a new attempt. The conditional update is the guard: a concurrent
 * retry/resume/stop loses. Step outputs and the incremental billing rows of the old attempt are cleared/settled in
 * the same transaction.
 */
export async function retryPlan(
  db: Db,
  id: string,
  p: { modelProfile: string; caller?: { userId: string; apiKeyId: string } },
): Promise<RestartResult> {
  return db.transaction().execute(async (tx) => {
    const cur = await tx.selectFrom('plans').select(['state', 'parameters', 'attempt']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!cur || (cur.state !== 'failed' && cur.state !== 'stopped')) return { ok: false, state: cur?.state ?? null };
    const prev = parseParameters(cur.parameters);
    const parameters = {
      ...prev,
      attempt_outcomes: withAttemptOutcome(prev, cur.attempt, cur.state),
      model_profile: p.modelProfile,
      trigger_source: 'mcp plan_retry',
      pipeline_version: 2,
    };
    const row = await tx
      .updateTable('plans')
      .set({
        ...CLEARED_ON_RETRY,
        state: 'pending',
        timestamp_created: sql`now() at time zone 'utc'` as any,
        progress_percentage: 0,
        steps_completed: 0,
        current_step: null,
        takeover_generation: 0,
        progress_message: 'Retry requested via MCP.',
        stop_requested: false,
        stop_requested_timestamp: null,
        parameters: JSON.stringify(parameters),
        attempt: sql`attempt + 1` as any,
        state_version: sql`state_version + 1` as any,
        claimed_by: null,
        heartbeat_at: null,
        ...(p.caller ? { user_id: p.caller.userId, api_key_id: p.caller.apiKeyId } : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', ['failed', 'stopped'])
      .returning(STATUS_COLUMNS)
      .executeTakeFirstOrThrow();
    await tx.deleteFrom('plan_files').where('plan_id', '=', id).execute();
    await tx
      .updateTable('credit_history')
      .set({ source: 'usage_billing_settled' })
      .where('source', '=', 'usage_billing_progress')
      .where('external_id', '=', id)
      .execute();
    return { ok: true, row };
  });
}

export type ResumeResult =
  | { ok: true; row: PlanStatusRow; resumeCount: number }
  | { ok: false; reason: 'state'; state: PlanStateDb | null }
  | { ok: false; reason: 'version'; stored: unknown };

/** failed/stopped → pending keeping every persisted step output and artifact, as a new attempt. */
export async function resumePlan(db: Db, id: string, p: { modelProfile: string; pipelineVersion: number }): Promise<ResumeResult> {
  return db.transaction().execute(async (tx) => {
    const cur = await tx.selectFrom('plans').select(['state', 'parameters', 'attempt']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!cur || (cur.state !== 'failed' && cur.state !== 'stopped')) return { ok: false, reason: 'state', state: cur?.state ?? null };
    const prev = parseParameters(cur.parameters);
    if ('pipeline_version' in prev && prev.pipeline_version !== p.pipelineVersion) {
      return { ok: false, reason: 'version', stored: prev.pipeline_version };
    }
    const resumeCount = (typeof prev.resume_count === 'number' ? prev.resume_count : 0) + 1;
    const parameters = {
      ...prev,
      model_profile: p.modelProfile,
      trigger_source: 'mcp plan_resume',
      pipeline_version: p.pipelineVersion,
      resume: true,
      resume_count: resumeCount,
      attempt_outcomes: withAttemptOutcome(prev, cur.attempt, cur.state),
    };
    const row = await tx
      .updateTable('plans')
      .set({
        state: 'pending',
        progress_message: 'Resume requested via MCP.',
        takeover_generation: 0,
        stop_requested: false,
        stop_requested_timestamp: null,
        failure_reason: null,
        failed_step: null,
        error_message: null,
        recoverable: null,
        parameters: JSON.stringify(parameters),
        attempt: sql`attempt + 1` as any,
        state_version: sql`state_version + 1` as any,
        claimed_by: null,
        heartbeat_at: null,
      })
      .where('id', '=', id)
      .where('state', 'in', ['failed', 'stopped'])
      .returning(STATUS_COLUMNS)
      .executeTakeFirstOrThrow();
    return { ok: true, row, resumeCount };
  });
}

/** Pending plans and plans left `processing` (for re-feeding an in-process queue at start-up), oldest first. */
export async function listUnfinishedPlans(db: Db): Promise<Pick<PlanRow, 'id' | 'attempt' | 'state'>[]> {
  return db
    .selectFrom('plans')
    .select(['id', 'attempt', 'state'])
    .where('state', 'in', ['pending', 'processing'])
    .orderBy('timestamp_created', 'asc')
    .execute();
}

/** Completed plans the operator published as examples. */
export async function listExamplePlans(db: Db, limit = 10): Promise<{ id: string; prompt: string; title: string | null }[]> {
  const rows = await db
    .selectFrom('plans')
    .leftJoin('plan_files', (j) => j.onRef('plan_files.plan_id', '=', 'plans.id').on('plan_files.filename', '=', 'wbs_level1_project_title.json'))
    .select(['plans.id', 'plans.prompt', 'plan_files.content'])
    .where('plans.is_example', '=', true)
    .where('plans.state', '=', 'completed')
    .orderBy('plans.timestamp_created', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, prompt: r.prompt, title: titleFromJson(r.content) }));
}

function titleFromJson(content: Buffer | null): string | null {
  if (!content) return null;
  try {
    const v = JSON.parse(content.toString('utf8'));
    if (typeof v === 'string') return v;
    if (v && typeof v.title === 'string') return v.title;
    if (v && typeof v.project_title === 'string') return v.project_title;
  } catch {}
  return null;
}

export async function setExample(db: Db, id: string, isExample: boolean): Promise<boolean> {
  const r = await db.updateTable('plans').set({ is_example: isExample }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface PlanStatusView extends PlanStatusRow {
  has_zip: boolean;
  files_count: number;
  /** The last 10 persisted files by name (log.txt excluded), name-sorted, with their update times (UTC). */
  last_files: { path: string; updated_at: Date }[];
}

/**
 * Everything plan_status needs in one round trip: the status columns, whether a zip snapshot exists (without
 * reading it), and the count and last 10 names of the persisted files.
 */
export async function getPlanStatusView(db: Db, id: string, owner: Owner): Promise<PlanStatusView | undefined> {
  const cols = sql.join(STATUS_COLUMNS.map((c) => sql.ref(`p.${c}`)));
  const ownerFilter = owner === undefined ? sql`` : sql` and p.user_id = ${owner}`;
  const r = await sql<PlanStatusRow & { has_zip: boolean; files_count: number | string; last_files: unknown }>`
    select ${cols},
      (p.run_zip_blob_id is not null or p.run_zip_snapshot is not null) as has_zip,
      (select count(*) from plan_files f where f.plan_id = p.id and f.filename <> 'log.txt') as files_count,
      (select coalesce(json_agg(json_build_array(x.filename, to_char(x.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) order by x.filename), '[]'::json)
         from (select filename, updated_at from plan_files f where f.plan_id = p.id and f.filename <> 'log.txt'
               order by filename desc limit 10) x) as last_files
    from plans p where p.id = ${id}${ownerFilter}`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const raw = typeof row.last_files === 'string' ? JSON.parse(row.last_files) : row.last_files;
  return {
    ...row,
    files_count: Number(row.files_count),
    last_files: (raw as [string, string][]).map(([path, t]) => ({ path, updated_at: new Date(t) })),
  };
}
