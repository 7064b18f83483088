/** Step 61: which work packages must wait for which. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { tasksText, type WbsLevel2Item } from '../wbsModel.ts';

export const TaskDependenciesSchema = z.object({
  dependencies: z.array(
    z.object({
      task_id: z.string().describe('WBS code of the task, e.g. "1.3"'),
      depends_on: z.array(z.string()).describe('WBS codes of the tasks that must finish before this one can start'),
      reason: z.string(),
    }),
  ),
});

const SYSTEM = `You are a scheduler turning a list of work packages into a network plan. The dependencies you give
decide the critical path of the project schedule.
Your reader is the project manager defending the timeline. You get the plan prompt, the project plan, the data still
to be collected and the work packages with their WBS codes.

Use the WBS codes exactly as listed. For each work package that must wait, name the packages that must finish
first and why (a permit before construction, funding before procurement, testing before launch). Include only real
finish-to-start dependencies, not mere preferences; leave packages that can start at once without entries, and
never create circular dependencies.`;

export const identifyTaskDependenciesStep: StepDef = {
  name: 'IdentifyTaskDependencies',
  deps: ['Setup', 'ProjectPlan', 'CreateWBSLevel2', 'DataCollection'],
  llm: true,
  outputs: ['task_dependencies_raw.json'],
  async run(ctx) {
    const tasks = ctx.readJson<WbsLevel2Item[]>('wbs_level2.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan'], ['data_collection.md', 'Data to collect']]), { title: 'Work packages', text: tasksText(tasks) }];
    const v = await ctx.llmJson(TaskDependenciesSchema, planMessages(SYSTEM, sources, 'Identify the dependencies between the work packages.'), { schemaName: 'TaskDependencies' });
    return { 'task_dependencies_raw.json': prettyJson(v) };
  },
};
