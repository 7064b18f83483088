/**
 * The performance goals `npm run bench` reports (issue 18's table): how each measured value is printed, its target,
 * and whether it is met. Benchmarks hand raw values to the kit (kit.ts `goal()`); this table alone turns them into
 * `GOAL <id> <measured> <target> met|missed|noisy` lines, so a target lives in one place.
 * Not listed yet, because the feature does not exist: wait-wake-p99 (the tasks issue).
 */
export interface GoalDef {
  target: string;
  /** the measured value as one token (no spaces) */
  show: (v: number) => string;
  met: (v: number, extra: Record<string, number>) => boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
const times = (v: number) => `${v.toFixed(2)}x`;
const ms = (v: number) => `${v.toFixed(2)}ms`;

export const GOALS: Record<string, GoalDef> = {
  'rest-vs-koa': { target: '≥85%', show: pct, met: (v) => v >= 0.85 },
  'mcp-vs-koa-2025': { target: '≥60%', show: pct, met: (v) => v >= 0.6 },
  'mcp-vs-koa-2026': { target: '≥60%', show: pct, met: (v) => v >= 0.6 },
  'gateway-vs-direct': { target: '≥70%', show: pct, met: (v) => v >= 0.7 },
  'gateway-cpu-vs-hop': { target: '≤1.3x', show: times, met: (v) => v <= 1.3 },
  'gateway-added-p50': { target: '≤0.6ms', show: ms, met: (v) => v <= 0.6 },
  'sse-kb-per-conn': { target: '≤1.05x', show: times, met: (v) => v <= 1.05 },
  'sse-p99': { target: '≤25ms', show: ms, met: (v) => v <= 25 },
  // p50 ≤ 10 ms, and its p99 (reported beside it) ≤ 50 ms
  'pickup-p50': { target: '≤10ms(p99≤50ms)', show: ms, met: (v, x) => v <= 10 && (x.p99 ?? Infinity) <= 50 },
  'wall-vs-sum': { target: '≤0.55', show: (v) => v.toFixed(2), met: (v) => v <= 0.55 },
  'wall-vs-critical-path': { target: '≤1.1', show: (v) => v.toFixed(2), met: (v) => v <= 1.1 },
  // the worse of standalone (PGlite) and distributed (Postgres)
  'artifact-vs-raw': { target: '≥60%', show: pct, met: (v) => v >= 0.6 },
  // RSS growth of the database download minus the raw anchor's, worse of the two modes
  'artifact-rss': { target: '≤raw+10MB', show: (v) => `raw${v >= 0 ? '+' : ''}${v.toFixed(1)}MB`, met: (v) => v <= 10 },
};

export const GOAL_ORDER = Object.keys(GOALS);

export interface GoalResult {
  id: string;
  value: number;
  extra: Record<string, number>;
  /** highest 1-minute load average seen while the goal was measured, and the machine's core count */
  load1Max: number;
  cores: number;
}

/** `GOAL <id> <measured> <target> met|missed|noisy`. A busy machine moves a figure either way, so it decides nothing. */
export function goalLine(r: GoalResult): string {
  const g = GOALS[r.id];
  const verdict = r.load1Max > r.cores ? 'noisy' : g.met(r.value, r.extra) ? 'met' : 'missed';
  return `GOAL ${r.id} ${g.show(r.value)} ${g.target} ${verdict}`;
}
