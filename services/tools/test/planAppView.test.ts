/** The plan view's pure parts (services/tools/app/src/status.ts): pacing, step durations, the time-left estimate. */
import { describe, it, expect } from 'vitest';
import { fingerprint, IDLE_PAUSE_MS, lastFinished, pauseAfter, stepName, timeLeft, type PlanStatus } from '../app/src/status.ts';

const base: PlanStatus = {
  plan_id: 'p',
  state: 'processing',
  progress_percentage: 10,
  steps_completed: 4,
  steps_total: 40,
  current_step: 'wbs',
  timing: { started_at: '2026-01-01T00:00:00Z', elapsed_sec: 120, last_progress_at: null },
  files_count: 3,
  files: [
    { path: '001-a_first.json', updated_at: '2026-01-01T00:00:10Z' },
    { path: '003-c_third.md', updated_at: '2026-01-01T00:01:00Z' },
    { path: '002-b_second.json', updated_at: '2026-01-01T00:00:30Z' },
  ],
};

describe('plan view pacing', () => {
  it('asks again at once after a wait the server honoured or a change, and pauses when the server did not wait', () => {
    const a = fingerprint(base);
    const b = fingerprint({ ...base, steps_completed: 5 });
    expect(pauseAfter(a, a, 25_000)).toBe(0); // the server waited the full wait: no change, no cost
    expect(pauseAfter(a, b, 50)).toBe(0); // a change: show it and wait again
    expect(pauseAfter(undefined, a, 50)).toBe(0); // the first answer is news
    expect(pauseAfter(a, a, 50)).toBe(IDLE_PAUSE_MS); // answered at once with nothing new: the wait was ignored
    // an idle view against a server that ignores the wait: at most two calls a minute
    expect(60_000 / IDLE_PAUSE_MS).toBeLessThanOrEqual(2);
    // elapsed time alone is no change
    expect(fingerprint({ ...base, timing: { ...base.timing, elapsed_sec: 999 } })).toBe(a);
  });
});

describe('plan view steps', () => {
  it('lists the last steps finished, newest first, each with the time since the one before', () => {
    expect(lastFinished(base)).toEqual([
      { name: 'c third', seconds: 30 },
      { name: 'b second', seconds: 20 },
      { name: 'a first', seconds: 10 }, // every file is listed: the first step began at the start
    ]);
    // with files left out of the list, the oldest listed step's start is unknown
    expect(lastFinished({ ...base, files_count: 9 }).at(-1)).toEqual({ name: 'a first', seconds: null });
    expect(stepName('runs/012-2-wbs_level1.json')).toBe('wbs level1');
  });

  it('estimates the time left only once a few steps are done, and says it is rough', () => {
    expect(timeLeft({ ...base, steps_completed: 2 }, 60)).toBe('estimating…');
    // 4 steps in 120 s → 36 steps left at 30 s each = 18 min
    expect(timeLeft(base, 120)).toBe('about 18 min 00 s (rough: steps differ in length)');
    expect(timeLeft({ ...base, state: 'pending' }, 0)).toBe('waiting for a worker');
    expect(timeLeft({ ...base, state: 'completed' }, 120)).toBe('none');
    expect(timeLeft({ ...base, state: 'stopped' }, 120)).toBe('—');
  });
});
