/** Step 56: the top of the work breakdown structure — the project title and its final deliverable. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { ROOT_ID, type WbsLevel1 } from '../wbsModel.ts';

export const WbsLevel1Schema = z.object({
  project_title: z.string().describe('A short, concrete title (at most 8 words)'),
  final_deliverable: z.string().describe('What exists when the project is done, in one sentence'),
});

const SYSTEM = `You start the work breakdown structure of a project. The title you write heads the final report.
Your reader is everyone who opens the report. You get the plan prompt and the project plan.

Write a short, concrete project title (at most eight words, no marketing language, no quotes) and one sentence
describing the final deliverable: the tangible result that exists when every piece of work is finished.`;

export const createWBSLevel1Step: StepDef = {
  name: 'CreateWBSLevel1',
  deps: ['Setup', 'ProjectPlan'],
  llm: true,
  outputs: ['wbs_level1_raw.json', 'wbs_level1.json', 'wbs_level1_project_title.json'],
  async run(ctx) {
    const sources = readSources(ctx, [PLAN_FILE, ['project_plan.md', 'Project plan']]);
    const v = await ctx.llmJson(WbsLevel1Schema, planMessages(SYSTEM, sources, 'Write the project title and final deliverable.'), { schemaName: 'WbsLevel1' });
    const title = v.project_title.trim() || 'Project plan';
    const level1: WbsLevel1 = { id: ROOT_ID, project_title: title, final_deliverable: v.final_deliverable };
    return { 'wbs_level1_raw.json': prettyJson(v), 'wbs_level1.json': prettyJson(level1), 'wbs_level1_project_title.json': JSON.stringify(title) };
  },
};
