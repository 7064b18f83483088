import { sql } from 'kysely';
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from './connect.ts';
import { dropBlob, writeBlob } from './artifactWrite.ts';
import { STATUS_COLUMNS, parseParameters, type PlanStatusRow } from './plans.ts';

/** The worker's view of one run: every write below is conditional on the plan still being on this attempt. */
export interface RunKey {
  planId: string;
  attempt: number;
  /**
   * The worker that claimed the run. When set, every write is also conditional on the plan still being claimed by
   * it: a takeover keeps the attempt, so the attempt alone cannot fence a presumed-dead worker that comes back.
   */
  workerId?: string;
}

export type ClaimResult =
  | { claimed: true; row: PlanStatusRow & { parameters: Record<string, unknown> } }
  | { claimed: false; reason: 'gone' | 'not_pending' | 'stop_requested' | 'superseded' | 'busy' };

/**
 * pending → processing for this attempt, by one conditional update (two workers never both win). A plan left
 * `processing` by a worker whose heartbeat is older than `staleSeconds` may be taken over (its job was re-fed), and
 * a worker may re-claim a run it holds itself (its own earlier delivery ended on an outage). Progress is kept:
 * plan_retry / plan_resume set the starting progress of an attempt, and a takeover continues where it was.
 */
export async function claimRun(db: Db, k: RunKey, workerId: string, staleSeconds: number): Promise<ClaimResult> {
  const row = await db
    .updateTable('plans')
    .set({
      state: 'processing',
      progress_message: sql`case when state = 'pending' then 'Picked up by server' else progress_message end` as any,
      claimed_by: workerId,
      heartbeat_at: sql`now() at time zone 'utc'` as any,
      state_version: sql`state_version + 1` as any,
    })
    .where('id', '=', k.planId)
    .where('attempt', '=', k.attempt)
    .where(sql<boolean>`coalesce(stop_requested, false) = false`)
    .where((eb) =>
      eb.or([
        eb('state', '=', 'pending'),
        eb.and([
          eb('state', '=', 'processing'),
          eb.or([
            eb('heartbeat_at', 'is', null),
            eb('claimed_by', '=', workerId),
            eb(sql`heartbeat_at`, '<', sql`(now() at time zone 'utc') - make_interval(secs => ${staleSeconds})`),
          ]),
        ]),
      ]),
    )
    .returning(STATUS_COLUMNS)
    .executeTakeFirst();
  if (row) return { claimed: true, row: { ...row, parameters: parseParameters(row.parameters) } };
  const cur = await db.selectFrom('plans').select(['state', 'attempt', 'stop_requested']).where('id', '=', k.planId).executeTakeFirst();
  if (!cur) return { claimed: false, reason: 'gone' };
  if (cur.attempt !== k.attempt) return { claimed: false, reason: 'superseded' };
  if (cur.stop_requested) return { claimed: false, reason: 'stop_requested' };
  if (cur.state === 'processing') return { claimed: false, reason: 'busy' };
  return { claimed: false, reason: 'not_pending' };
}

/** Every persisted file of a plan (what makes resume and takeover possible on any worker). */
export async function loadRunFiles(db: Db, planId: string): Promise<Map<string, Buffer>> {
  const rows = await db.selectFrom('plan_files').select(['filename', 'content']).where('plan_id', '=', planId).execute();
  return new Map(rows.map((r) => [r.filename, Buffer.from(r.content)]));
}

/** Whether this attempt of the plan was stopped by plan_stop (what a run that lost its claim checks). */
export async function isRunStopped(db: Db, k: RunKey): Promise<boolean> {
  const r = await db.selectFrom('plans').select(['state', 'attempt']).where('id', '=', k.planId).executeTakeFirst();
  return r?.state === 'stopped' && r.attempt === k.attempt;
}

export interface Progress {
  percentage: number;
  message: string;
  stepsCompleted: number;
  stepsTotal: number;
  currentStep: string | null;
}

export class RunSuperseded extends Error {
  constructor(readonly planId: string) {
    super(`plan ${planId} is no longer processing on this attempt`);
    this.name = 'RunSuperseded';
  }
}

/** Locks the plan row and checks it is still ours; throws RunSuperseded otherwise. */
async function lockOwnRun(tx: Db, k: RunKey): Promise<void> {
  const cur = await tx.selectFrom('plans').select(['state', 'attempt', 'claimed_by']).where('id', '=', k.planId).forUpdate().executeTakeFirst();
  if (!cur || cur.state !== 'processing' || cur.attempt !== k.attempt) throw new RunSuperseded(k.planId);
  if (k.workerId !== undefined && cur.claimed_by !== k.workerId) throw new RunSuperseded(k.planId);
}

/**
 * Persists a finished step's files and the new progress in one transaction, only while the run is still ours.
 * Returns the updated status row (the next snapshot event).
 */
export async function persistStep(db: Db, k: RunKey, step: string, files: Record<string, Uint8Array>, p: Progress, workerId: string): Promise<PlanStatusRow> {
  return db.transaction().execute(async (tx) => {
    await lockOwnRun(tx, k);
    for (const [filename, content] of Object.entries(files)) {
      const buf = Buffer.from(content);
      const values = { plan_id: k.planId, filename, step, content: buf, byte_size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
      await tx
        .insertInto('plan_files')
        .values(values)
        .onConflict((oc) => oc.columns(['plan_id', 'filename']).doUpdateSet({ ...values, updated_at: sql`now() at time zone 'utc'` as any }))
        .execute();
    }
    const row = await writeProgressTx(tx, k, p, workerId);
    if (!row) throw new RunSuperseded(k.planId);
    return row;
  });
}

/**
 * The progress columns only move forward within an attempt: writes computed from an older view of the run's files
 * (a progress write queued before a parallel step's outputs were committed, a late write of a taken-over run) keep
 * the stored figures. plan_retry resets them for its new attempt; plan_resume keeps those of its persisted steps.
 */
function forwardProgress(p: Progress) {
  const pct = Math.round(p.percentage * 100) / 100;
  const behind = sql<boolean>`coalesce(progress_percentage, 0) > ${pct}`;
  return {
    progress_percentage: sql`greatest(coalesce(progress_percentage, 0), ${pct})` as any,
    progress_message: sql`case when ${behind} then progress_message else ${p.message.slice(0, 128)} end` as any,
    steps_completed: sql`case when ${behind} then steps_completed else ${p.stepsCompleted}::int end` as any,
    steps_total: p.stepsTotal,
  };
}

async function writeProgressTx(tx: Db, k: RunKey, p: Progress, workerId: string): Promise<PlanStatusRow | undefined> {
  return tx
    .updateTable('plans')
    .set({
      ...forwardProgress(p),
      current_step: p.currentStep?.slice(0, 128) ?? null,
      last_progress_at: sql`now() at time zone 'utc'` as any,
      heartbeat_at: sql`now() at time zone 'utc'` as any,
      claimed_by: workerId,
      state_version: sql`state_version + 1` as any,
    })
    .where('id', '=', k.planId)
    .where('attempt', '=', k.attempt)
    .where('state', '=', 'processing')
    .$if(k.workerId !== undefined, (q) => q.where('claimed_by', '=', k.workerId!))
    .returning(STATUS_COLUMNS)
    .executeTakeFirst();
}

/**
 * Progress without new files (after an LLM attempt); throws RunSuperseded when the run is no longer ours. A
 * database error is thrown as it is (the caller decides whether it is an outage).
 */
export async function writeProgress(db: Db, k: RunKey, p: Progress, workerId: string): Promise<PlanStatusRow> {
  const row = await writeProgressTx(db, k, p, workerId);
  if (!row) throw new RunSuperseded(k.planId);
  return row;
}

/** Liveness of a run; returns false when the run is no longer ours (stopped, retried, taken over). */
export async function heartbeatRun(db: Db, k: RunKey, workerId: string): Promise<boolean> {
  const r = await db
    .updateTable('plans')
    .set({ heartbeat_at: sql`now() at time zone 'utc'` as any })
    .where('id', '=', k.planId)
    .where('attempt', '=', k.attempt)
    .where('state', '=', 'processing')
    .where('claimed_by', '=', workerId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function heartbeatWorker(db: Db, workerId: string, currentTaskId: string | null): Promise<void> {
  await db
    .insertInto('workers')
    .values({ id: workerId, current_task_id: currentTaskId })
    .onConflict((oc) => oc.column('id').doUpdateSet({ last_heartbeat_at: sql`now() at time zone 'utc'` as any, current_task_id: currentTaskId }))
    .execute();
}

export interface FinalArtifacts {
  reportHtml: string | null;
  zip: Uint8Array | null;
  activityOverview: unknown;
  trackActivity?: string | null;
}

export type Outcome =
  | { state: 'completed'; stepsTotal: number }
  | { state: 'failed'; failureReason: string; failedStep: string | null; errorMessage: string; recoverable: boolean }
  | { state: 'stopped' };

/**
 * The run's last write: artifacts and the final state, conditional on the attempt. A completed or failed outcome
 * needs the plan still `processing`; a stopped run only stores its partial zip (plan_stop already wrote `stopped`).
 * Returns the row, or undefined when the run was superseded.
 */
export async function finishRun(db: Db, k: RunKey, outcome: Outcome, a: FinalArtifacts): Promise<PlanStatusRow | undefined> {
  // the zip goes in as chunks first; the final update links it, and a superseded run's blob is dropped
  const blob = a.zip ? await writeBlob(db, k.planId, a.zip) : null;
  try {
    const row = await finalUpdate(db, k, outcome, a, blob?.id ?? null);
    if (!row && blob) await dropBlob(db, blob.id);
    return row;
  } catch (e) {
    if (blob) await dropBlob(db, blob.id).catch(() => {});
    throw e;
  }
}

async function finalUpdate(db: Db, k: RunKey, outcome: Outcome, a: FinalArtifacts, zipBlobId: string | null): Promise<PlanStatusRow | undefined> {
  // artifact columns are written only when this run has them: a run that ends without files keeps what is stored
  const common = {
    ...(zipBlobId ? { run_zip_blob_id: zipBlobId, run_zip_snapshot: null, run_artifact_layout_version: 2 } : {}),
    ...(a.activityOverview != null ? { run_activity_overview_json: JSON.stringify(a.activityOverview) } : {}),
    ...(a.trackActivity ? { run_track_activity_jsonl: a.trackActivity, run_track_activity_bytes: Buffer.byteLength(a.trackActivity) } : {}),
    state_version: sql`state_version + 1` as any,
    heartbeat_at: null,
  };
  let q = db.updateTable('plans').where('id', '=', k.planId).where('attempt', '=', k.attempt);
  if (k.workerId !== undefined && outcome.state !== 'stopped') q = q.where('claimed_by', '=', k.workerId);
  if (outcome.state === 'completed') {
    return q
      .set({
        ...common,
        state: 'completed',
        generated_report_html: a.reportHtml,
        progress_percentage: 100,
        progress_message: 'Completed',
        steps_completed: outcome.stepsTotal,
        steps_total: outcome.stepsTotal,
        current_step: 'Completed',
        last_progress_at: sql`now() at time zone 'utc'` as any,
      })
      .where('state', '=', 'processing')
      .returning(STATUS_COLUMNS)
      .executeTakeFirst();
  }
  if (outcome.state === 'failed') {
    return q
      .set({
        ...common,
        state: 'failed',
        generated_report_html: null,
        failure_reason: outcome.failureReason.slice(0, 64),
        failed_step: outcome.failedStep?.slice(0, 128) ?? null,
        error_message: outcome.errorMessage.slice(0, 256),
        recoverable: outcome.recoverable,
      })
      .where('state', '=', 'processing')
      .returning(STATUS_COLUMNS)
      .executeTakeFirst();
  }
  q = q.where('state', '=', 'stopped');
  return q.set(common).returning(STATUS_COLUMNS).executeTakeFirst();
}

/** Plans processing under a worker that stopped showing life: failed, recoverable (a resume continues them). */
export async function reapStaleRuns(db: Db, staleSeconds: number): Promise<PlanStatusRow[]> {
  return db
    .updateTable('plans')
    .set({
      state: 'failed',
      failure_reason: 'worker_error',
      failed_step: sql`current_step` as any,
      error_message: 'The worker running this plan stopped responding. plan_resume continues from the last finished step.',
      recoverable: true,
      state_version: sql`state_version + 1` as any,
    })
    .where('state', '=', 'processing')
    .where(sql<boolean>`coalesce(heartbeat_at, timestamp_created) < (now() at time zone 'utc') - make_interval(secs => ${staleSeconds})`)
    .returning(STATUS_COLUMNS)
    .execute();
}

export interface TokenMetric {
  planId: string;
  userId: string | null;
  apiKeyId: string | null;
  step: string;
  modelKey: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationSeconds: number;
  success: boolean;
  error: string | null;
}

export async function recordTokenMetric(db: Db, m: TokenMetric): Promise<void> {
  await db
    .insertInto('token_metrics')
    .values({
      llm_model: m.modelKey,
      task_id: m.planId,
      user_id: m.userId,
      api_key_id: m.apiKeyId,
      step: m.step,
      upstream_model: m.model,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      thinking_tokens: 0,
      cost_usd: m.costUsd,
      duration_seconds: m.durationSeconds,
      success: m.success,
      error_message: m.error?.slice(0, 2000) ?? null,
      raw_usage_data: null,
    })
    .execute();
}

/**
 * Final usage charge (spec/data-and-worker.md §8.2), exactly once per plan: the unique index on
 * (external_id) where source = 'usage_billing' makes a redelivered job's second charge a no-op.
 */
export async function chargeFinalUsage(
  db: Db,
  p: { planId: string; userId: string; apiKeyId: string | null; totalCostUsd: number; successFeeUsd: number; creditPriceCents: number; succeeded: boolean },
): Promise<number> {
  const toCredits = (usd: number) => Math.round((usd / (Math.max(1, p.creditPriceCents) / 100)) * 1e9) / 1e9;
  return db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom('user_account').select('id').where(sql<string>`id::text`, '=', p.userId).executeTakeFirst();
    const target = user?.id ?? (await tx.selectFrom('user_account').select('id').where('is_admin', '=', true).orderBy('created_at').executeTakeFirst())?.id;
    if (!target) return 0;
    const already = await tx
      .selectFrom('credit_history')
      .select(sql<string>`coalesce(sum(-delta), 0)`.as('n'))
      .where('source', '=', 'usage_billing_progress')
      .where('external_id', '=', p.planId)
      .executeTakeFirstOrThrow();
    const remaining = toCredits(p.totalCostUsd + p.successFeeUsd) - Number(already.n);
    const delta = remaining > 0 ? -remaining : 0;
    const inserted = await tx
      .insertInto('credit_history')
      .values({
        id: randomUUID(),
        user_id: target,
        delta,
        reason: p.succeeded ? 'plan_created_with_usage_cost' : 'plan_failed_usage_cost',
        source: 'usage_billing',
        external_id: p.planId,
        api_key_id: p.apiKeyId,
      })
      .onConflict((oc) => oc.column('external_id').where('source', '=', 'usage_billing').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted || delta === 0) return 0;
    await tx.updateTable('user_account').set({ credits_balance: sql`credits_balance + ${delta}` as any }).where('id', '=', target).execute();
    return -delta;
  });
}
