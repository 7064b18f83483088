import { randomUUID } from 'node:crypto';
import { isoMicrosZ, parseUuid, publicState, ToolError, type SendFeedbackArgs } from '@planexe/contracts';
import { getPlan, insertFeedback } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { planNotFound, requireUserKey } from '../identity.ts';

export async function sendFeedback(deps: ToolDeps, args: SendFeedbackArgs, ctx: ToolContext) {
  const caller = ctx.caller;
  requireUserKey(deps, caller, 'send_feedback');
  let snapshot: { state: string; pct: number; step: string | null } | null = null;
  if (args.plan_id) {
    const id = parseUuid(args.plan_id);
    const row = id ? await getPlan(deps.db, id, caller.owner) : undefined;
    if (!row) throw planNotFound(args.plan_id);
    snapshot = { state: publicState(row.state), pct: Number(row.progress_percentage ?? 0), step: row.current_step };
  }
  if (args.rating != null && (args.rating < 1 || args.rating > 5)) throw new ToolError('INVALID_FEEDBACK', 'rating must be 1-5');
  const id = randomUUID();
  const receivedAt = new Date();
  // fire-and-forget: a storage failure is logged, never returned to the caller
  await insertFeedback(deps.db, {
    id,
    received_at: receivedAt,
    category: args.category,
    message: args.message,
    plan_id: args.plan_id,
    rating: args.rating,
    user_id: caller.userId,
    plan_progress_pct: snapshot?.pct ?? null,
    plan_state: snapshot?.state ?? null,
    plan_current_step: snapshot?.step ?? null,
  }).catch((e) => deps.log.error({ err: String(e), feedback_id: id }, 'feedback not stored'));
  return { feedback_id: id, received_at: isoMicrosZ(receivedAt), message: 'Feedback received. Thank you.' };
}
