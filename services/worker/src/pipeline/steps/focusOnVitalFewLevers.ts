/** Step 13: the vital few (about five) levers that decide most of the outcome. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchByKey, pickByKey } from '../answerMatching.ts';
import { leversText, readLevers, type LeverStage } from '../leverModel.ts';

export const VITAL_FEW = 5;

export const VitalFewLeversSchema = z.object({
  vital_levers: z
    .array(
      z.object({
        lever_id: z.string().describe('The id exactly as listed'),
        rationale: z.string().describe('Why this decision drives the outcome, one or two sentences'),
      }),
    )
    .min(1),
  summary: z.string().describe('How the vital few together shape the project'),
});

const SYSTEM = `You apply the 80/20 rule to a project's strategic decisions. Your reader is the project owner, who
will settle only the levers you pick before planning continues; the rest are decided along the way.

You get the plan prompt, its purpose and the enriched levers (options, synergies, conflicts). Pick about five
levers — never more than five — that together decide most of the project's cost, risk and chance of success,
preferring levers that conflict with each other (those need a deliberate choice) over ones that follow from
others. Use the ids exactly as listed, most important first, and say why each one is vital.`;

export const focusOnVitalFewLeversStep: StepDef = {
  name: 'FocusOnVitalFewLevers',
  deps: ['Setup', 'IdentifyPurpose', 'EnrichLevers'],
  llm: true,
  outputs: ['vital_few_levers_raw.json'],
  async run(ctx) {
    const levers = readLevers(ctx, 'enriched_levers_raw.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['identify_purpose.md', 'Purpose']]), { title: 'Levers', text: leversText(levers) }];
    const v = await ctx.llmJson(VitalFewLeversSchema, planMessages(SYSTEM, sources, `Pick the vital few levers (at most ${VITAL_FEW}).`), { schemaName: 'FocusOnVitalFewLevers' });
    let chosen = pickByKey(levers, (l) => l.lever_id, v.vital_levers.map((a) => a.lever_id)).slice(0, VITAL_FEW);
    // ids the model made up: fall back to the triage order (primary levers first)
    if (!chosen.length) chosen = levers.slice(0, VITAL_FEW);
    const reasons = matchByKey(chosen.map((l) => l.lever_id), v.vital_levers, (a) => a.lever_id);
    const stage: LeverStage = { response: v, levers: chosen.map((l, i) => ({ ...l, vital_rationale: reasons[i]?.rationale ?? '' })) };
    return { 'vital_few_levers_raw.json': prettyJson(stage) };
  },
};
