import { publicState, zTimestamp, type PlanListArgs } from '@planexe/contracts';
import { listPlans as listPlanRows } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { requireUserKey } from '../identity.ts';

/** The caller's own plans, newest first. (Upstream listed every user's plans to key-less callers; we never do.) */
export async function listPlans(deps: ToolDeps, args: PlanListArgs, ctx: ToolContext) {
  const caller = ctx.caller;
  requireUserKey(deps, caller, 'plan_list');
  const limit = Math.min(50, Math.max(1, Math.trunc(args.limit ?? 10)));
  const rows = await listPlanRows(deps.db, caller.owner, limit);
  const plans = rows.map((r) => ({
    plan_id: r.id,
    state: publicState(r.state),
    progress_percentage: Number(r.progress_percentage ?? 0),
    created_at: zTimestamp(r.timestamp_created),
    prompt_excerpt: r.prompt.slice(0, 100).trim().slice(0, 100),
  }));
  return { plans, message: `Returned ${plans.length} plan(s).` };
}
