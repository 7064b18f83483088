/** What the view derives from a plan_status payload: pure functions, no DOM. */

export interface PlanStatus {
  plan_id: string;
  state: 'pending' | 'processing' | 'completed' | 'failed' | 'stopped';
  progress_percentage: number;
  steps_completed: number | null;
  steps_total: number | null;
  current_step: string | null;
  timing: { started_at: string | null; elapsed_sec: number; last_progress_at: string | null };
  files_count: number;
  files: { path: string; updated_at: string | null }[];
  error?: { failure_reason: string | null; failed_step: string | null; message: string; recoverable: boolean | null };
}

export const isActive = (s: PlanStatus): boolean => s.state === 'pending' || s.state === 'processing';

/** What a wait compares: the fields a person sees change (elapsed time moves by itself). */
export function fingerprint(s: PlanStatus): string {
  return JSON.stringify([s.state, s.steps_completed, s.steps_total, s.current_step, s.files_count, s.progress_percentage, s.error ?? null]);
}

/** The longest a server that ignores wait_seconds keeps an idle view asking: two calls a minute. */
export const IDLE_PAUSE_MS = 30_000;

/**
 * How long to pause before the next wait. A server that honours wait_seconds answers an idle plan only after the
 * wait, so the next call goes at once; an answer that came within a second with nothing changed means the server
 * did not wait, and the view pauses instead of asking again and again.
 */
export function pauseAfter(before: string | undefined, after: string, answeredInMs: number): number {
  return before === after && answeredInMs < 1000 ? IDLE_PAUSE_MS : 0;
}

export function formatDuration(totalSec: number): string {
  const sec = Math.max(0, Math.round(totalSec));
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ${String(sec % 60).padStart(2, '0')} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** A step's name from its output file: `007-2-wbs_level1.json` → `wbs level1`. */
export function stepName(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.[a-z0-9]+$/i, '').replace(/^[\d-]+/, '').replace(/[_-]+/g, ' ').trim() || base;
}

export interface FinishedStep {
  name: string;
  /** Seconds since the step before it finished (or since the start), null when unknown. */
  seconds: number | null;
}

/** The last steps finished, newest first, each with the time it took (the gap to the output file before it). */
export function lastFinished(s: PlanStatus, count = 5): FinishedStep[] {
  const files = s.files
    .filter((f) => f.updated_at)
    .map((f) => ({ path: f.path, at: Date.parse(f.updated_at as string) }))
    .filter((f) => Number.isFinite(f.at))
    .sort((a, b) => b.at - a.at);
  const started = s.timing.started_at ? Date.parse(s.timing.started_at) : NaN;
  // when every file is listed, the oldest one's step began when the plan started
  const allListed = files.length === s.files_count;
  return files.slice(0, count).map((f, i) => {
    const before = files[i + 1]?.at ?? (allListed && Number.isFinite(started) ? started : NaN);
    return { name: stepName(f.path), seconds: Number.isFinite(before) ? Math.max(0, (f.at - before) / 1000) : null };
  });
}

/**
 * Time left, honestly: the average pace of the steps finished so far applied to the steps left, said as a rough
 * figure, and only once a few steps have finished (steps differ a lot in length, so early figures mislead).
 */
export function timeLeft(s: PlanStatus, elapsedSec: number): string {
  if (s.state === 'completed') return 'none';
  if (!isActive(s)) return '—';
  const done = s.steps_completed ?? 0;
  const total = s.steps_total ?? 0;
  if (s.state === 'pending') return 'waiting for a worker';
  if (!total || done < 3 || elapsedSec <= 0) return 'estimating…';
  const left = (elapsedSec / done) * Math.max(0, total - done);
  return `about ${formatDuration(Math.ceil(left / 60) * 60)} (rough: steps differ in length)`;
}

export const STATE_LABEL: Record<PlanStatus['state'], string> = {
  pending: 'Waiting for a worker',
  processing: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  stopped: 'Stopped',
};

/** What to do about a failed plan, from its error. */
export function failureAdvice(s: PlanStatus): string {
  if (s.error?.recoverable === false) return 'Retry starts the plan again from scratch.';
  return 'Resume continues from the step that failed, keeping the finished work; Retry starts again from scratch.';
}
