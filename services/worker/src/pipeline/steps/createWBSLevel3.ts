/**
 * Step 63: each level-2 task decomposed into concrete tasks, one call per task (kept as `wbs_level3_<n>_raw.json`).
 * Fast mode decomposes only the first 2 level-2 tasks (spec §4).
 */
import { z } from 'zod';
import type { StepDef, StepOutputs } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { level2Tasks, readTree, type TaskDuration, type WbsLevel3Item } from '../wbsModel.ts';
import { mapBounded } from '../boundedMap.ts';

export const FAST_LEVEL3_TASKS = 2;

export const WbsLevel3Schema = z.object({
  subtasks: z
    .array(
      z.object({
        title: z.string().describe('A concrete task starting with a verb'),
        description: z.string().describe('What is done and what it produces'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a project planner detailing one work package into the tasks a team lead will assign.
You get the plan prompt, the project plan, the data still to be collected, the outline of all work packages, and the
one package to decompose with its estimated duration.

Split the given work package into 3 to 7 tasks, in the order they are done, that together deliver exactly the
package's scope — nothing from other packages. Each task should be small enough for one person or small team
to own and short enough to track weekly within the package's estimated duration.`;

export const createWBSLevel3Step: StepDef = {
  name: 'CreateWBSLevel3',
  deps: ['Setup', 'ProjectPlan', 'WBSProjectLevel1AndLevel2', 'EstimateTaskDurations', 'DataCollection'],
  llm: true,
  outputs: ['wbs_level3.json'],
  async run(ctx) {
    const tree = readTree(ctx, 'wbs_project_level1_and_level2.json');
    const durations = ctx.readJson<TaskDuration[]>('task_durations.json');
    let tasks = level2Tasks(tree);
    if (ctx.speed === 'fast_but_skip_details') tasks = tasks.slice(0, FAST_LEVEL3_TASKS);
    const base = readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan'], ['data_collection.md', 'Data to collect']]);
    const outline = level2Tasks(tree).map((t) => `${t.id} ${t.title}`).join('\n');
    const out: StepOutputs = {};
    // work packages are decomposed independently, side by side, in package order
    const answers = await mapBounded(tasks, async (task) => {
      ctx.signal.throwIfAborted();
      const days = durations.find((d) => d.task_id === task.id)?.duration_days;
      const focus = `${task.id} ${task.title}\n${task.description}${days ? `\nEstimated duration: ${days} calendar days` : ''}`;
      const sources = [...base, { title: 'All work packages', text: outline }, { title: 'Work package to decompose', text: focus }];
      return ctx.llmJson(WbsLevel3Schema, planMessages(SYSTEM, sources, `Decompose work package ${task.id} into tasks.`), { schemaName: 'WbsLevel3' });
    });
    const items: WbsLevel3Item[] = tasks.map((task, n) => {
      out[`wbs_level3_${n + 1}_raw.json`] = prettyJson(answers[n]);
      return {
        parent_id: task.id,
        parent_title: task.title,
        subtasks: answers[n].subtasks.map((s, i) => ({ id: `${task.id}.${i + 1}`, title: s.title, description: s.description })),
      };
    });
    out['wbs_level3.json'] = prettyJson(items);
    return out;
  },
};
