/** Step 57: the work packages under the project. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import type { WbsLevel1, WbsLevel2Item } from '../wbsModel.ts';

export const WbsLevel2Schema = z.object({
  work_packages: z
    .array(
      z.object({
        title: z.string().describe('Starts with a verb or names a deliverable, e.g. "Secure permits"'),
        description: z.string().describe('Scope of the package and what it delivers, one or two sentences'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a project planner breaking a project into work packages (level 2 of the WBS). Each package will
later get its own tasks, a duration and dependencies, so the list must be complete and without overlap.
Your reader is the project manager who will give each package an owner. You get the plan prompt, the project plan,
the data still to be collected, and the project title with its final deliverable.

Cover the whole life of this project — initiation and approvals, funding, design, procurement, build or
development, testing, launch or handover, and closure — as it applies here, in roughly chronological order. Aim
for 6 to 10 packages, each a coherent chunk of work one lead could own.`;

export const createWBSLevel2Step: StepDef = {
  name: 'CreateWBSLevel2',
  deps: ['Setup', 'ProjectPlan', 'CreateWBSLevel1', 'DataCollection'],
  llm: true,
  outputs: ['wbs_level2_raw.json', 'wbs_level2.json'],
  async run(ctx) {
    const level1 = ctx.readJson<WbsLevel1>('wbs_level1.json');
    const sources = [
      ...readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan'], ['data_collection.md', 'Data to collect']]),
      { title: 'WBS level 1', text: `${level1.project_title}\nFinal deliverable: ${level1.final_deliverable}` },
    ];
    const v = await ctx.llmJson(WbsLevel2Schema, planMessages(SYSTEM, sources, 'List the work packages of this project.'), { schemaName: 'WbsLevel2' });
    const items: WbsLevel2Item[] = v.work_packages.map((p, i) => ({ id: `${level1.id}.${i + 1}`, title: p.title, description: p.description }));
    return { 'wbs_level2_raw.json': prettyJson(v), 'wbs_level2.json': prettyJson(items) };
  },
};
