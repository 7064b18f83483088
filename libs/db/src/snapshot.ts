import type { PlanSnapshot } from '@planexe/contracts';
import { publicState, zTimestamp } from '@planexe/contracts';
import type { Db } from './connect.ts';
import { STATUS_COLUMNS, type PlanStatusRow } from './plans.ts';

/** The public whole-state snapshot of a plan row (the payload of progress events). */
export function toSnapshot(row: PlanStatusRow): PlanSnapshot {
  const state = publicState(row.state);
  return {
    plan_id: row.id,
    version: Number(row.state_version),
    state,
    progress_percentage: state === 'completed' ? 100 : Number(row.progress_percentage ?? 0),
    progress_message: row.progress_message,
    steps_completed: row.steps_completed,
    steps_total: row.steps_total,
    current_step: row.current_step,
    created_at: zTimestamp(row.timestamp_created),
    last_progress_at: zTimestamp(row.last_progress_at),
    stop_requested: Boolean(row.stop_requested),
    failure_reason: row.failure_reason,
    error_message: row.error_message,
    recoverable: row.recoverable,
  };
}

export async function loadSnapshot(db: Db, planId: string): Promise<PlanSnapshot | null> {
  const row = await db.selectFrom('plans').select(STATUS_COLUMNS).where('id', '=', planId).executeTakeFirst();
  return row ? toSnapshot(row) : null;
}
