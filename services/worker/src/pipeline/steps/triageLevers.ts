/** Step 11: sorts the levers into primary, secondary and remove (duplicates, non-decisions). */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { matchByKey } from '../answerMatching.ts';
import { leversText, readLevers, type Lever, type LeverStage } from '../leverModel.ts';

export const TriageLeversSchema = z.object({
  triage: z
    .array(
      z.object({
        lever_id: z.string().describe('The id exactly as listed, e.g. "L3"'),
        classification: z.enum(['primary', 'secondary', 'remove']),
        reason: z.string().describe('One sentence'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are triaging a list of strategic levers for the project owner, who has time to deliberate on only a
handful of decisions.

You get the plan prompt and the candidate levers with their options. Classify every lever, using its id exactly
as listed:
- "primary": shapes the whole project (cost, scale, timeline or success) and has genuinely different options;
- "secondary": matters, but can be decided later or follows from a primary lever;
- "remove": duplicates another lever, is an operational detail, is not actually under the owner's control, or has
  options that are not real alternatives.
Give a one-sentence reason for each. Expect roughly a third primary; remove freely.`;

export const triageLeversStep: StepDef = {
  name: 'TriageLevers',
  deps: ['Setup', 'PotentialLevers'],
  llm: true,
  outputs: ['triaged_levers_raw.json'],
  async run(ctx) {
    const levers = readLevers(ctx, 'potential_levers.json');
    const sources = [...readSources(ctx, [PLAN_FILE]), { title: 'Candidate levers', text: leversText(levers) }];
    const v = await ctx.llmJson(TriageLeversSchema, planMessages(SYSTEM, sources, 'Triage every lever.'), { schemaName: 'TriageLevers' });
    const answers = matchByKey(levers.map((l) => l.lever_id), v.triage, (a) => a.lever_id);
    let kept: Lever[] = [];
    levers.forEach((l, i) => {
      const a = answers[i];
      if (a?.classification === 'remove') return;
      kept.push({ ...l, classification: a?.classification ?? 'secondary', triage_reason: a?.reason ?? '' });
    });
    // a triage that removes everything is unusable: keep the levers as secondary rather than lose the stage
    if (!kept.length) kept = levers.map((l) => ({ ...l, classification: 'secondary', triage_reason: '' }));
    kept.sort((a, b) => Number(a.classification !== 'primary') - Number(b.classification !== 'primary'));
    const stage: LeverStage = { response: v, levers: kept };
    return { 'triaged_levers_raw.json': prettyJson(stage) };
  },
};
