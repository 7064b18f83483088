import { parseUuid, publicState } from '@planexe/contracts';
import { resolvePlanId } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { planNotFound } from '../identity.ts';
import { planStore } from './planStore.ts';

export async function stopPlan(deps: ToolDeps, args: { plan_id: string }, ctx: ToolContext) {
  const id = await resolvePlanId(deps.db, args.plan_id, parseUuid(args.plan_id), ctx.caller.owner);
  if (!id) throw planNotFound(args.plan_id);
  const r = await planStore(deps).stop(id);
  if (!r.stopped) return { state: publicState(r.state), stop_requested: false };
  // the DB flag is the truth; the bus only makes the worker notice at once
  await deps.bus.publishStop({ plan_id: id, attempt: r.row.attempt }).catch((e) => deps.log.warn({ err: String(e) }, 'stop signal not sent'));
  return { state: 'stopped' as const, stop_requested: true };
}
