import type { PlanSnapshot, PlanState } from '@planexe/contracts';
import { isTerminalState, zTimestamp } from '@planexe/contracts';
import { PyFloat, sseEvent } from './sseWire.ts';

/** What a stream needs of a plan's state; one object per change, shared read-only by every stream of the plan. */
export interface PlanUpdate {
  version: number;
  state: PlanState;
  /** Already forced to 100 for `completed` (the snapshot rule). */
  progress: number;
  progressMessage: string | null;
  /** `timestamp_created` in ms since the epoch, or null. */
  createdAtMs: number | null;
}

export function toUpdate(s: PlanSnapshot, createdAtMs?: number | null): PlanUpdate {
  return {
    version: s.version,
    state: s.state,
    progress: s.state === 'completed' ? 100 : Number(s.progress_percentage ?? 0),
    progressMessage: s.progress_message,
    createdAtMs: createdAtMs !== undefined ? createdAtMs : s.created_at ? Date.parse(s.created_at) : null,
  };
}

export const isTerminal = (u: PlanUpdate): boolean => isTerminalState(u.state);

/** now − created, rounded to one decimal; 0.0 when unknown (spec §3). */
function elapsedSec(u: PlanUpdate, nowMs: number): PyFloat {
  return new PyFloat(u.createdAtMs === null ? 0 : Math.round((nowMs - u.createdAtMs) / 100) / 10);
}

/** `event: status` — `id` is the plan's state version. */
export function statusEvent(planId: string, u: PlanUpdate, nowMs: number): string {
  return sseEvent(
    'status',
    { plan_id: planId, state: u.state, progress_percentage: new PyFloat(u.progress), elapsed_sec: elapsedSec(u, nowMs) },
    u.version,
  );
}

/** `event: complete` for a terminal plan; `failed` carries upstream's error object built from progress_message. */
export function completeEvent(planId: string, u: PlanUpdate, nowMs: number): string {
  return sseEvent(
    'complete',
    {
      plan_id: planId,
      state: u.state,
      progress_percentage: new PyFloat(u.progress),
      elapsed_sec: elapsedSec(u, nowMs),
      error: u.state === 'failed' ? { code: 'generation_failed', message: u.progressMessage || 'Plan generation failed.' } : undefined,
    },
    u.version,
  );
}

export function heartbeatEvent(nowMs: number): string {
  return sseEvent('heartbeat', { timestamp: zTimestamp(new Date(nowMs)) });
}

export function notFoundEvent(planId: string): string {
  return sseEvent('error', { code: 'PLAN_NOT_FOUND', message: `Plan not found: ${planId}` });
}

export function timeoutEvent(maxDurationSeconds: number): string {
  return sseEvent('error', { code: 'SSE_TIMEOUT', message: `SSE stream timed out after ${maxDurationSeconds} seconds` });
}
