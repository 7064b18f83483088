import {
  PIPELINE_VERSION,
  ToolError,
  normaliseModelProfile,
  zTimestamp,
  type PlanCreateArgs,
} from '@planexe/contracts';
import { findDuplicatePlan, getUser, insertEvent } from '@planexe/db';
import { traceCarrier } from '@planexe/telemetry';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { enqueueRun } from './enqueueRun.ts';
import { planStore } from './planStore.ts';
import { requireUserKey, sseUrl } from '../identity.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i;

/** start_date must be an ISO-8601 date or date-time (upstream accepted anything and crashed its worker). */
export function validStartDate(v: string): boolean {
  return ISO_DATE.test(v.trim()) && !Number.isNaN(Date.parse(v.trim().length === 10 ? `${v.trim()}T00:00:00Z` : v.trim()));
}

/** Hidden metadata override of the profile (REST bridge and stdio), spec/tools.md §3. */
function metadataProfile(raw: Record<string, unknown>): unknown {
  let profile: unknown;
  for (const c of ['tool_metadata', 'metadata', '_meta']) {
    const box = raw[c];
    if (!box || typeof box !== 'object' || Array.isArray(box)) continue;
    const layers = [box as Record<string, unknown>];
    for (const n of ['plan_create', 'task_create', 'planexe_task_create', 'planexe']) {
      const inner = (box as Record<string, unknown>)[n];
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) layers.push(inner as Record<string, unknown>);
    }
    for (const l of layers) if (typeof l.model_profile === 'string') profile = l.model_profile;
  }
  return profile;
}

export async function createPlan(deps: ToolDeps, args: PlanCreateArgs, ctx: ToolContext, raw: Record<string, unknown>) {
  const explicit = raw.model_profile == null ? undefined : args.model_profile;
  const profile = normaliseModelProfile(explicit ?? (ctx.surface !== 'http' ? metadataProfile(raw) : undefined) ?? 'baseline');
  if (args.start_date && !validStartDate(args.start_date)) {
    throw new ToolError('INVALID_ARGUMENT', `start_date must be an ISO-8601 date or date-time, got '${args.start_date}'.`, {
      field: 'start_date',
    });
  }
  const caller = ctx.caller;
  requireUserKey(deps, caller, 'plan_create');
  if (caller.kind === 'user' && caller.userId) {
    const user = await getUser(deps.db, caller.userId);
    if (!user || Number(user.credits_balance) <= 0) {
      throw new ToolError('INSUFFICIENT_CREDITS', 'Not enough credits to create a plan. Top up at https://home.planexe.org/');
    }
  }
  await deps.models.assertRunnable(profile);

  if (deps.settings.dedupWindowSeconds > 0) {
    const dup = await findDuplicatePlan(deps.db, {
      userId: caller.owner,
      prompt: args.prompt,
      modelProfile: profile,
      windowSeconds: deps.settings.dedupWindowSeconds,
    });
    if (dup) return { plan_id: dup.id, created_at: zTimestamp(dup.timestamp_created)!, deduplicated: true as const, ...sseUrl(ctx, dup.id) };
  }

  const config: Record<string, unknown> = { model_profile: profile };
  if (args.start_date) config.start_date = args.start_date.trim();
  const parameters = { ...config, trigger_source: 'mcp plan_create', pipeline_version: PIPELINE_VERSION };
  const row = await planStore(deps).create({ prompt: args.prompt, userId: caller.owner, apiKeyId: caller.apiKeyId, parameters });
  await insertEvent(deps.db, 'TASK_PENDING', 'Enqueued task via MCP', {
    plan_id: row.id,
    task_handle: row.id,
    user_id: caller.owner,
    api_key_id: caller.apiKeyId,
    config,
    parameters,
  });
  // the job carries the trace context, so the worker's run continues this plan_create's trace
  await enqueueRun(deps, { plan_id: row.id, attempt: row.attempt, trace: traceCarrier() });
  return { plan_id: row.id, created_at: zTimestamp(row.timestamp_created)!, ...sseUrl(ctx, row.id) };
}
