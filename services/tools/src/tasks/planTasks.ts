import { isToolError, parseUuid, publicState, zTimestamp } from '@planexe/contracts';
import { getPlanStatusView, parseParameters, type AttemptOutcomes, type PlanStatusView } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';
import { planStatus } from '../handlers/planStatus.ts';
import { stopPlan } from '../handlers/stopPlan.ts';
import { toolResult, type ToolRegistry, type ToolResult } from '../registry.ts';
import type { TaskBackend } from './backend.ts';
import { createTaskResult, type DetailedTask } from './wire.ts';

/** The tools that answer with a task for a client that declared the extension: each starts one attempt of a plan. */
export const PLAN_TASK_TOOLS: ReadonlySet<string> = new Set(['plan_create', 'plan_retry', 'plan_resume']);

/** A task is one attempt of a plan, so its id is derived from (plan_id, attempt): any replica resolves it from the row. */
export const planTaskId = (planId: string, attempt: number) => `${planId}.${attempt}`;
const TASK_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,9})$/i;

function parseTaskId(taskId: string): { planId: string; attempt: number } | undefined {
  const m = TASK_ID.exec(taskId);
  const planId = m ? parseUuid(m[1]) : undefined;
  return planId ? { planId, attempt: Number(m![2]) } : undefined;
}

const iso = (d: Date | string | null | undefined) => (d ? zTimestamp(typeof d === 'string' ? new Date(d) : d)! : undefined);
const later = (a: string, b: string | undefined) => (b && b > a ? b : a);

/**
 * How often the plan's state really changes: the average step duration of the attempt so far (a snapshot follows
 * every step), between 1 s and 30 s; 2 s while it waits for a worker; a minute once nothing will change.
 */
function pollIntervalMs(v: PlanStatusView, createdAt: string): number {
  const state = publicState(v.state);
  if (state === 'pending') return 2_000;
  if (state !== 'processing') return 60_000;
  const steps = Number(v.steps_completed ?? 0);
  const last = v.last_progress_at ? v.last_progress_at.getTime() : Date.now();
  const perStep = steps > 0 ? (last - Date.parse(createdAt)) / steps : 5_000;
  return Math.round(Math.min(30_000, Math.max(1_000, perStep)));
}

function describe(payload: Record<string, unknown>): string {
  const step = payload.current_step ? `, step ${String(payload.current_step)}` : '';
  const total = payload.steps_total != null ? `/${String(payload.steps_total)}` : '';
  return `${String(payload.state)}: ${String(payload.progress_percentage)}% (${String(payload.steps_completed ?? 0)}${total} steps${step})`;
}

/** The plan-backed tasks: plan_create/plan_retry/plan_resume start them; tasks/get reads them off the plan's row. */
export class PlanTasks implements TaskBackend {
  constructor(
    private readonly deps: ToolDeps,
    private readonly registry: ToolRegistry,
  ) {}

  /** The caller's plan row (the same owner rule as plan_status), through the status cache when there is one. */
  private async view(planId: string, caller: ToolContext): Promise<PlanStatusView | undefined> {
    const load = () => getPlanStatusView(this.deps.db, planId, undefined);
    const v = await (this.deps.statusCache ? this.deps.statusCache.get(planId, load) : load());
    return v && v.user_id === caller.caller.owner ? v : undefined;
  }

  /** Runs the tool; a call it accepts answers with the task of the attempt it started, a refusal stays a tool error. */
  async start(name: string, args: Record<string, unknown>, caller: ToolContext): Promise<ToolResult | Record<string, unknown>> {
    const result = await this.registry.call(name, args, caller);
    const planId = typeof result.structuredContent.plan_id === 'string' ? result.structuredContent.plan_id : undefined;
    if (result.isError || !planId) return result;
    const v = await this.view(planId, caller);
    const task = v ? await this.get(planTaskId(planId, v.attempt), caller) : undefined;
    return task ? createTaskResult(task) : result;
  }

  owns(taskId: string): boolean {
    return TASK_ID.test(taskId);
  }

  async get(taskId: string, caller: ToolContext): Promise<DetailedTask | undefined> {
    const id = parseTaskId(taskId);
    const v = id && (await this.view(id.planId, caller));
    if (!id || !v || id.attempt > v.attempt) return undefined;
    const outcomes = (parseParameters(v.parameters).attempt_outcomes ?? {}) as AttemptOutcomes;
    const startedAfter = outcomes[String(id.attempt - 1)]?.ended_at;
    if (id.attempt < v.attempt) return this.superseded(taskId, id.attempt, v.attempt, outcomes, startedAfter);

    const payload = await this.status(v.id, caller);
    if (!payload) return undefined;
    const createdAt = later(iso(v.timestamp_created) ?? new Date().toISOString(), startedAfter && iso(startedAfter));
    const base = {
      taskId,
      createdAt,
      lastUpdatedAt: later(createdAt, iso(v.last_progress_at)),
      ttlMs: null,
      pollIntervalMs: pollIntervalMs(v, createdAt),
      _meta: { 'org.planexe/plan_status': payload },
    };
    switch (payload.state) {
      case 'completed':
        return { ...base, status: 'completed', statusMessage: describe(payload), result: toolResult(payload, false) };
      case 'failed': {
        const err = (payload.error ?? {}) as { message?: string };
        const message = err.message ?? 'Plan generation failed.';
        return { ...base, status: 'failed', statusMessage: message, error: { code: -32603, message, data: { plan_id: v.id, ...payload.error as object } } };
      }
      case 'stopped':
        return { ...base, status: 'cancelled', statusMessage: v.progress_message ?? 'Stopped.' };
      default:
        return { ...base, status: 'working', statusMessage: describe(payload) };
    }
  }

  /** plan_status's payload for the row (same progress and error detail), or undefined when it is no longer visible. */
  private async status(planId: string, caller: ToolContext): Promise<Record<string, unknown> | undefined> {
    try {
      return await planStatus(this.deps, { plan_id: planId }, caller);
    } catch (err) {
      if (isToolError(err)) return undefined;
      throw err;
    }
  }

  /** An attempt a retry or resume replaced: terminal, as it ended (recorded when it was superseded). */
  private superseded(taskId: string, attempt: number, current: number, outcomes: AttemptOutcomes, startedAfter?: string): DetailedTask {
    const outcome = outcomes[String(attempt)];
    const endedAt = outcome ? iso(outcome.ended_at)! : new Date(0).toISOString();
    const createdAt = startedAfter ? iso(startedAfter)! : endedAt;
    const base = { taskId, createdAt, lastUpdatedAt: later(createdAt, endedAt), ttlMs: null };
    if (outcome?.state === 'failed') {
      const message = `Attempt ${attempt} failed; the plan was started again as attempt ${current}.`;
      return { ...base, status: 'failed', statusMessage: message, error: { code: -32603, message } };
    }
    return { ...base, status: 'cancelled', statusMessage: `Attempt ${attempt} was stopped; the plan was started again as attempt ${current}.` };
  }

  async cancel(taskId: string, caller: ToolContext): Promise<boolean> {
    const id = parseTaskId(taskId);
    const v = id && (await this.view(id.planId, caller));
    if (!id || !v || id.attempt > v.attempt) return false;
    const state = publicState(v.state);
    // tasks/cancel is plan_stop, for the attempt that is still running; a terminal task keeps its state
    if (id.attempt === v.attempt && (state === 'pending' || state === 'processing')) await stopPlan(this.deps, { plan_id: v.id }, caller);
    return true;
  }

  async update(taskId: string, _responses: Record<string, unknown>, caller: ToolContext): Promise<boolean> {
    // a plan never asks its client for input, so there is nothing outstanding to answer
    return (await this.get(taskId, caller)) !== undefined;
  }

  async watch(taskId: string, onChange: () => void): Promise<() => Promise<void>> {
    const id = parseTaskId(taskId);
    if (!id) return async () => {};
    // snapshots reach every replica (NATS), so a worker anywhere moves the task a client watches here
    return this.deps.bus.subscribeSnapshots(id.planId, () => onChange());
  }
}
