import { parseUuid, publicState, zTimestamp } from '@planexe/contracts';
import { getPlanStatusView } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { planNotFound, sseUrl } from '../identity.ts';
import { listFiles } from '@planexe/artifact-sources';

export async function planStatus(deps: ToolDeps, args: { plan_id: string; wait_seconds?: number }, ctx: ToolContext) {
  const id = parseUuid(args.plan_id);
  if (!id) throw planNotFound(args.plan_id);
  const load = () => getPlanStatusView(deps.db, id, undefined);
  // the owner check is made here, on cached and fresh rows alike: another caller's plan reads as absent
  const read = async (minVersion?: number) => {
    const v = await (deps.statusCache ? deps.statusCache.get(id, load, minVersion) : load());
    return v && v.user_id === ctx.caller.owner ? v : undefined;
  };
  const wait = args.wait_seconds ?? 0;
  // a plan the caller cannot see is not found before any wait takes a connection slot: the answer must not depend on
  // how many waits the caller's address already holds (a view of another user's plan showed the cap's refusal)
  if (wait > 0 && !(await read())) throw planNotFound(args.plan_id);
  const row = wait > 0 && deps.waits
    ? await deps.waits.wait({ planId: id, seconds: wait, client: ctx.clientAddress ?? 'unknown', signal: ctx.signal, progress: ctx.progress }, read)
    : await read();
  if (!row) throw planNotFound(args.plan_id);
  const state = publicState(row.state);
  const completed = state === 'completed';
  // persisted step outputs are the source of truth; legacy rows fall back to the zip snapshot / worker listing
  let files = row.last_files.map((f) => ({ path: f.path, updated_at: zTimestamp(f.updated_at) }));
  let filesCount = row.files_count;
  if (filesCount === 0 && (row.has_zip || deps.settings.workerPlanUrl)) {
    const all = await listFiles(deps.db, row.id, deps.settings.workerPlanUrl);
    files = all.slice(-10);
    filesCount = all.length;
  }
  const created = row.timestamp_created;
  const payload: Record<string, unknown> = {
    plan_id: row.id,
    state,
    progress_percentage: completed ? 100 : Number(row.progress_percentage ?? 0),
    steps_completed: completed && row.steps_total != null ? row.steps_total : row.steps_completed,
    steps_total: row.steps_total,
    current_step: row.current_step,
    timing: {
      started_at: zTimestamp(created),
      elapsed_sec: created ? Math.max(0, (Date.now() - created.getTime()) / 1000) : 0,
      last_progress_at: zTimestamp(row.last_progress_at),
    },
    files_count: filesCount,
    files,
  };
  if (state === 'failed') {
    payload.error = {
      failure_reason: row.failure_reason,
      failed_step: row.failed_step,
      message: row.error_message || row.progress_message || 'Plan generation failed.',
      recoverable: row.recoverable,
    };
  }
  if (state === 'pending' || state === 'processing') Object.assign(payload, sseUrl(ctx, row.id));
  return payload;
}
