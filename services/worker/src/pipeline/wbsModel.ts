/**
 * The work breakdown structure shared by steps 56–67: level 1 is the project, level 2 its work packages, level 3
 * the tasks of a work package. Ids are WBS codes ("1", "1.2", "1.2.3") so models can copy them reliably.
 */
import type { StepContext } from '../engine/stepTypes.ts';

export interface WbsNode {
  id: string;
  title: string;
  description: string;
  children: WbsNode[];
}

/** `wbs_level1.json` */
export interface WbsLevel1 {
  id: string;
  project_title: string;
  final_deliverable: string;
}

/** One entry of `wbs_level2.json` */
export interface WbsLevel2Item {
  id: string;
  title: string;
  description: string;
}

/** One entry of `wbs_level3.json`: the decomposition of one level-2 task. */
export interface WbsLevel3Item {
  parent_id: string;
  parent_title: string;
  subtasks: WbsLevel2Item[];
}

/** One entry of `task_durations.json`. */
export interface TaskDuration {
  task_id: string;
  title: string;
  duration_days: number;
  reasoning: string;
}

/** `task_dependencies_raw.json` */
export interface TaskDependencies {
  dependencies: Array<{ task_id: string; depends_on: string[]; reason: string }>;
}

export const ROOT_ID = '1';

export function level2Tasks(root: WbsNode): WbsNode[] {
  return root.children;
}

/** Every node with its level (1–3) and parent id, depth first. */
export function flattenWbs(root: WbsNode): Array<{ node: WbsNode; level: number; parentId: string | null }> {
  const out: Array<{ node: WbsNode; level: number; parentId: string | null }> = [];
  const walk = (n: WbsNode, level: number, parentId: string | null) => {
    out.push({ node: n, level, parentId });
    for (const c of n.children) walk(c, level + 1, n.id);
  };
  walk(root, 1, null);
  return out;
}

/** The level-2 tasks as a numbered list for prompts. */
export function tasksText(tasks: ReadonlyArray<{ id: string; title: string; description: string }>): string {
  return tasks.map((t) => `${t.id} ${t.title}: ${t.description}`).join('\n');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The model's id for a task, normalised ("Task 1.2" / " 1.2. " → "1.2"). */
export function normaliseTaskId(id: string): string {
  const m = /\d+(?:\.\d+)*/.exec(id);
  return m ? m[0] : id.trim();
}

export function readTree(ctx: Pick<StepContext, 'readJson'>, file: string): WbsNode {
  return ctx.readJson<WbsNode>(file);
}
