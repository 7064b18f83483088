/** Step 31: go/no-go assessment and the actions needed before the project can start. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';

export const PreProjectAssessmentSchema = z.object({
  recommendation: z.enum(['go', 'go_with_conditions', 'hold', 'no_go']),
  summary: z.string().describe('Why, in three or four sentences'),
  immediate_actions: z
    .array(
      z.object({
        action: z.string(),
        rationale: z.string(),
        owner_role: z.string(),
        within_days: z.number().int().min(0).max(365).describe('Deadline in days from project start'),
      }),
    )
    .min(1),
  feasibility_concerns: z.array(z.string()),
});

export type PreProjectAssessment = z.output<typeof PreProjectAssessmentSchema>;

const SYSTEM = `You run the pre-project gate review. Your reader is the sponsor deciding whether to start and under
which conditions.
You get the plan prompt and one document holding the locations, currencies, risks, assumptions and their review.

Give a recommendation: "go", "go_with_conditions" (name the conditions as actions), "hold" (something must be
resolved first) or "no_go". List the actions that must happen in the first weeks — permits, funding, key hires,
contracts, safety checks — each with an owner role and a deadline in days. Base everything on the assumptions,
risks and review given; point out feasibility concerns the plan must answer.`;

export const preProjectAssessmentStep: StepDef = {
  name: 'PreProjectAssessment',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown'],
  llm: true,
  outputs: ['pre_project_assessment_raw.json', 'pre_project_assessment.json'],
  async run(ctx) {
    const sources = readSources(ctx, [PLAN_FILE, ['consolidate_assumptions_full.md', 'Assumptions, risks and review']]);
    const v = await ctx.llmJson(PreProjectAssessmentSchema, planMessages(SYSTEM, sources, 'Assess this plan before it starts.'), { schemaName: 'PreProjectAssessment' });
    const clean = {
      recommendation: v.recommendation,
      summary: v.summary,
      immediate_actions: [...v.immediate_actions].sort((a, b) => a.within_days - b.within_days),
      feasibility_concerns: v.feasibility_concerns,
    };
    return { 'pre_project_assessment_raw.json': prettyJson(v), 'pre_project_assessment.json': prettyJson(clean) };
  },
};
