import { PIPELINE_VERSION, ToolError, normaliseModelProfile, parseUuid, zTimestamp } from '@planexe/contracts';
import { insertEvent, resolvePlanId } from '@planexe/db';
import { traceCarrier } from '@planexe/telemetry';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { enqueueRun } from './enqueueRun.ts';
import { planStore } from './planStore.ts';
import { planNotFound, sseUrl } from '../identity.ts';

export async function retryPlan(deps: ToolDeps, args: { plan_id: string; model_profile: string }, ctx: ToolContext) {
  const profile = normaliseModelProfile(args.model_profile);
  const id = await resolvePlanId(deps.db, args.plan_id, parseUuid(args.plan_id), ctx.caller.owner);
  if (!id) throw planNotFound(args.plan_id);
  const caller = ctx.caller.kind === 'user' && ctx.caller.userId && ctx.caller.apiKeyId
    ? { userId: ctx.caller.userId, apiKeyId: ctx.caller.apiKeyId }
    : undefined;
  const r = await planStore(deps).retry(id, { modelProfile: profile, caller });
  if (!r.ok) throw new ToolError('PLAN_NOT_FAILED', `Plan is not in failed or stopped state: ${args.plan_id}`);
  await insertEvent(deps.db, 'TASK_PENDING', 'Retried failed task via MCP', {
    plan_id: id,
    task_handle: id,
    retry_of_plan_id: args.plan_id,
    model_profile: profile,
  });
  await enqueueRun(deps, { plan_id: id, attempt: r.row.attempt, trace: traceCarrier() });
  return { plan_id: id, state: 'pending' as const, model_profile: profile, retried_at: zTimestamp(new Date())!, ...sseUrl(ctx, id) };
}

export async function resumePlan(deps: ToolDeps, args: { plan_id: string; model_profile: string }, ctx: ToolContext) {
  const profile = normaliseModelProfile(args.model_profile);
  const id = await resolvePlanId(deps.db, args.plan_id, parseUuid(args.plan_id), ctx.caller.owner);
  if (!id) throw planNotFound(args.plan_id);
  const r = await planStore(deps).resume(id, { modelProfile: profile, pipelineVersion: PIPELINE_VERSION });
  if (!r.ok && r.reason === 'state') {
    throw new ToolError('PLAN_NOT_RESUMABLE', `Plan is not in failed or stopped state: ${args.plan_id}`);
  }
  if (!r.ok) {
    throw new ToolError(
      'PIPELINE_VERSION_MISMATCH',
      `This plan's files were produced by a different PlanExe version (snapshot=${String(r.stored)}, current=${PIPELINE_VERSION}) ` +
        'and cannot be resumed. Use plan_retry to start it again from scratch.',
    );
  }
  await insertEvent(deps.db, 'TASK_PENDING', 'Resumed failed task via MCP', {
    plan_id: id,
    task_handle: id,
    resume_of_plan_id: args.plan_id,
    model_profile: profile,
    resume_count: r.resumeCount,
  });
  await enqueueRun(deps, { plan_id: id, attempt: r.row.attempt, trace: traceCarrier() });
  return {
    plan_id: id,
    state: 'pending' as const,
    model_profile: profile,
    resume_count: r.resumeCount,
    resumed_at: zTimestamp(new Date())!,
    ...sseUrl(ctx, id),
  };
}
