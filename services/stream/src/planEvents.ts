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
  /**
   * The last chunk built from this update: 1,000 streams of one plan receive it within the same tenth of a second,
   * so they share one string instead of building 1,000 identical ones.
   */
  built?: { key: string; chunk: string };
}

/** Builds (or reuses) the chunk of `name` for this update, plan id echo and elapsed tenth of a second. */
function cached(u: PlanUpdate, name: string, planId: string, nowMs: number, build: (elapsed: PyFloat) => string): string {
  const tenths = u.createdAtMs === null ? 0 : Math.round((nowMs - u.createdAtMs) / 100);
  const key = `${name} ${tenths} ${planId}`;
  if (u.built?.key === key) return u.built.chunk;
  const chunk = build(new PyFloat(tenths / 10));
  u.built = { key, chunk };
  return chunk;
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

/** `event: status` — `id` is the plan's state version; elapsed_sec = now − created, one decimal, 0.0 if unknown. */
export function statusEvent(planId: string, u: PlanUpdate, nowMs: number): string {
  return cached(u, 'status', planId, nowMs, (elapsed_sec) =>
    sseEvent('status', { plan_id: planId, state: u.state, progress_percentage: new PyFloat(u.progress), elapsed_sec }, u.version),
  );
}

/** `event: complete` for a terminal plan; `failed` carries upstream's error object built from progress_message. */
export function completeEvent(planId: string, u: PlanUpdate, nowMs: number): string {
  return cached(u, 'complete', planId, nowMs, (elapsed_sec) =>
    sseEvent(
      'complete',
      {
        plan_id: planId,
        state: u.state,
        progress_percentage: new PyFloat(u.progress),
        elapsed_sec,
        error: u.state === 'failed' ? { code: 'generation_failed', message: u.progressMessage || 'Plan generation failed.' } : undefined,
      },
      u.version,
    ),
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
