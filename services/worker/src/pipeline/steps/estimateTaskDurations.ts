/**
 * Step 62: a duration per level-2 task, asked in chunks so each answer stays small. Fast mode estimates only the
 * first 2 chunks (spec §4); the schedule gives the others a default. Each chunk's answer is kept as
 * `task_durations_<n>_raw.json`.
 */
import { z } from 'zod';
import type { StepDef, StepOutputs } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { chunk, level2Tasks, normaliseTaskId, readTree, tasksText, type TaskDuration } from '../wbsModel.ts';
import { mapBounded } from '../boundedMap.ts';

export const DURATION_CHUNK_SIZE = 3;
export const FAST_DURATION_CHUNKS = 2;

export const DurationsSchema = z.object({
  estimates: z
    .array(
      z.object({
        task_id: z.string().describe('WBS code exactly as listed'),
        duration_days: z.number().int().min(1).max(1000).describe('Calendar days from start to finish, including waiting time'),
        reasoning: z.string(),
      }),
    )
    .min(1),
});

const SYSTEM = `You are an experienced estimator. Your estimates feed the project schedule the sponsor will be held to.
You get the plan prompt, the project plan, a one-line overview of the project and the work packages to estimate,
with their WBS codes.

Estimate how many calendar days each listed work package takes from start to finish, for the team and budget
the plan implies, including weekends, holidays and waiting time: approvals, lead times, procurement and review
cycles, not only hands-on work. Use the WBS codes exactly as listed, one estimate per package, and say briefly
what drives each number.`;

export const estimateTaskDurationsStep: StepDef = {
  name: 'EstimateTaskDurations',
  deps: ['Setup', 'ProjectPlan', 'WBSProjectLevel1AndLevel2'],
  llm: true,
  outputs: ['task_durations.json'],
  async run(ctx) {
    const tree = readTree(ctx, 'wbs_project_level1_and_level2.json');
    let chunks = chunk(level2Tasks(tree), DURATION_CHUNK_SIZE);
    if (ctx.speed === 'fast_but_skip_details') chunks = chunks.slice(0, FAST_DURATION_CHUNKS);
    const base = readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]);
    const out: StepOutputs = {};
    // the chunks are estimated independently, side by side; their answers are read in chunk order
    const answers = await mapBounded(chunks, (tasks) => {
      ctx.signal.throwIfAborted();
      const sources = [...base, { title: 'Project overview', text: `${tree.title}: ${tree.description}` }, { title: 'Work packages to estimate', text: tasksText(tasks) }];
      return ctx.llmJson(DurationsSchema, planMessages(SYSTEM, sources, 'Estimate the duration of each listed work package.'), { schemaName: 'TaskDurations' });
    });
    const durations: TaskDuration[] = [];
    for (const [n, tasks] of chunks.entries()) {
      const v = answers[n];
      out[`task_durations_${n + 1}_raw.json`] = prettyJson(v);
      const used = new Set<number>();
      tasks.forEach((t, i) => {
        let k = v.estimates.findIndex((e, j) => !used.has(j) && normaliseTaskId(e.task_id) === t.id);
        if (k < 0 && i < v.estimates.length && !used.has(i)) k = i;
        if (k < 0) return;
        used.add(k);
        const e = v.estimates[k];
        durations.push({ task_id: t.id, title: t.title, duration_days: Math.max(1, Math.round(e.duration_days)), reasoning: e.reasoning });
      });
    }
    out['task_durations.json'] = prettyJson(durations);
    return out;
  },
};
