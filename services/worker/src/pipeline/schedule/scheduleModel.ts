/**
 * The project schedule computed from the WBS, the duration estimates and the dependencies: level-2 tasks start when
 * all their predecessors finish (dependency cycles are broken, see breakCycles); the level-3 tasks of a
 * work package run one after another inside it. Times are whole calendar days from the project start.
 */
import type { StepContext } from '../../engine/stepTypes.ts';
import { normaliseTaskId, type TaskDependencies, type TaskDuration, type WbsNode } from '../wbsModel.ts';

export interface ScheduleRow {
  id: string;
  parentId: string | null;
  level: 2 | 3;
  title: string;
  start: number;
  duration: number;
  dependsOn: string[];
  /** False when the task had no estimate and got the default duration. */
  estimated: boolean;
}

export interface Schedule {
  projectTitle: string;
  startDate: Date;
  rows: ScheduleRow[];
  totalDays: number;
}

const FALLBACK_DAYS = 10;
/** Durations outside 1..MAX_DAYS (a broken estimate) are clamped so the chart stays drawable. */
const MAX_DAYS = 3650;
const clampDays = (d: number) => (Number.isFinite(d) ? Math.min(MAX_DAYS, Math.max(1, Math.round(d))) : FALLBACK_DAYS);

function defaultDuration(durations: TaskDuration[]): number {
  const d = durations.map((x) => x.duration_days).filter((x) => x > 0).sort((a, b) => a - b);
  return d.length ? clampDays(d[Math.floor(d.length / 2)]) : FALLBACK_DAYS;
}

function predecessorMap(ids: Set<string>, deps: TaskDependencies | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const d of deps?.dependencies ?? []) {
    const id = normaliseTaskId(d.task_id);
    if (!ids.has(id)) continue;
    const list = map.get(id) ?? [];
    for (const raw of d.depends_on) {
      const p = normaliseTaskId(raw);
      if (ids.has(p) && p !== id && !list.includes(p)) list.push(p);
    }
    map.set(id, list);
  }
  return map;
}

/** Whether `from` (transitively) depends on `target`. */
function reaches(preds: Map<string, string[]>, from: string, target: string, seen = new Set<string>()): boolean {
  if (from === target) return true;
  seen.add(from);
  return (preds.get(from) ?? []).some((p) => !seen.has(p) && reaches(preds, p, target, seen));
}

/**
 * Breaks dependency cycles: an edge against the WBS order (a task waiting for a later-listed one) is dropped when it
 * closes a cycle. Every cycle has such an edge, so the result is acyclic while plausible edges are kept.
 */
function breakCycles(order: string[], preds: Map<string, string[]>): void {
  const index = new Map(order.map((id, i) => [id, i]));
  for (const id of order) {
    for (const p of [...(preds.get(id) ?? [])]) {
      if ((index.get(p) ?? 0) > (index.get(id) ?? 0) && reaches(preds, p, id)) {
        preds.set(id, (preds.get(id) ?? []).filter((x) => x !== p));
      }
    }
  }
}

export function buildSchedule(tree: WbsNode, durations: TaskDuration[], deps: TaskDependencies | undefined, startDate: Date): Schedule {
  const tasks = tree.children;
  const fallback = defaultDuration(durations);
  const durOf = new Map(durations.map((d) => [d.task_id, clampDays(d.duration_days)]));
  const preds = predecessorMap(new Set(tasks.map((t) => t.id)), deps);
  breakCycles(tasks.map((t) => t.id), preds);
  const start = new Map<string, number>();
  const dur = (id: string) => durOf.get(id) ?? fallback;
  const finish = (id: string, depth = 0): number => {
    let s = start.get(id);
    if (s === undefined) {
      s = depth > tasks.length ? 0 : Math.max(0, ...(preds.get(id) ?? []).map((p) => finish(p, depth + 1)));
      start.set(id, s);
    }
    return s + dur(id);
  };
  const rows: ScheduleRow[] = [];
  for (const t of tasks) {
    finish(t.id);
    const s = start.get(t.id) ?? 0;
    const d = dur(t.id);
    rows.push({ id: t.id, parentId: tree.id, level: 2, title: t.title, start: s, duration: d, dependsOn: preds.get(t.id) ?? [], estimated: durOf.has(t.id) });
    const n = t.children.length;
    // the tasks of a work package share its window in whole days, one after another
    t.children.forEach((c, i) => {
      const from = Math.floor((i * d) / n);
      const duration = Math.max(1, Math.floor(((i + 1) * d) / n) - from);
      rows.push({ id: c.id, parentId: t.id, level: 3, title: c.title, start: s + Math.min(from, d - 1), duration, dependsOn: i ? [t.children[i - 1].id] : [], estimated: durOf.has(t.id) });
    });
  }
  const totalDays = Math.max(1, ...rows.map((r) => r.start + r.duration));
  return { projectTitle: tree.title, startDate, rows, totalDays };
}

/** The run files a schedule is computed from. */
export const SCHEDULE_FILES = ['wbs_project_level1_and_level2_and_level3.json', 'wbs_project_level1_and_level2.json', 'task_durations.json', 'task_dependencies_raw.json'];

/** The schedule from the run files, preferring the three-level WBS; undefined when no WBS exists yet. */
export function readSchedule(ctx: Pick<StepContext, 'has' | 'readJson'>, startDate: Date): Schedule | undefined {
  const treeFile = ['wbs_project_level1_and_level2_and_level3.json', 'wbs_project_level1_and_level2.json'].find((f) => ctx.has(f));
  if (!treeFile) return undefined;
  const durations = ctx.has('task_durations.json') ? ctx.readJson<TaskDuration[]>('task_durations.json') : [];
  const deps = ctx.has('task_dependencies_raw.json') ? ctx.readJson<TaskDependencies>('task_dependencies_raw.json') : undefined;
  return buildSchedule(ctx.readJson<WbsNode>(treeFile), durations, deps, startDate);
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a day offset. */
export function dayDate(start: Date, offset: number): string {
  const base = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  return new Date(base + Math.floor(offset) * DAY_MS).toISOString().slice(0, 10);
}

/** First and last (inclusive) calendar day of a row. */
export function rowDates(s: Schedule, r: ScheduleRow): { start: string; end: string } {
  const first = Math.floor(r.start);
  return { start: dayDate(s.startDate, first), end: dayDate(s.startDate, Math.max(first, Math.ceil(r.start + r.duration) - 1)) };
}

export const SCHEDULE_HEADERS = ['ID', 'Task', 'Start', 'End', 'Days', 'Depends on'];

/** One row per task for tables (HTML, Markdown, CSV). */
export function scheduleRows(s: Schedule): string[][] {
  return s.rows.map((r) => {
    const d = rowDates(s, r);
    return [r.id, r.title, d.start, d.end, String(Math.round(r.duration * 10) / 10), r.dependsOn.join(' ')];
  });
}
