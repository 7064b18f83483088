/** Step 10: the strategic levers of the plan — the big decisions the owner controls, each with a few options. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import type { Lever } from '../leverModel.ts';

export const PotentialLeversSchema = z.object({
  levers: z
    .array(
      z.object({
        name: z.string().describe('The decision, named as a noun phrase, e.g. "Funding Model"'),
        consequences: z.string().describe('What changes downstream as this lever moves: cost, time, risk, reach'),
        options: z.array(z.string()).min(1).describe('Three mutually exclusive choices, from cautious to bold'),
        review: z.string().describe('The central trade-off this lever controls, one sentence'),
      }),
    )
    .min(1),
  summary: z.string().describe('Which two or three levers look most decisive and why'),
});

const SYSTEM = `You are a strategy adviser preparing the decision agenda for the project owner. Your reader must
choose a direction before detailed planning starts, and wants to see the real choices, not a to-do list.

You get the plan prompt, its purpose, whether it is digital or physical, and the constraints the user stated.
Identify 8 to 12 levers: strategic decisions the owner actually controls (funding model, scale of the first
phase, location strategy, build-or-buy, target audience, pace of rollout, partnerships, technology choice, …).
External events and risks are not levers. For each lever give three concrete, mutually exclusive options that run
from cautious to ambitious, the chain of consequences when it moves, and the trade-off it embodies. Respect the
stated constraints: an option that breaks one does not belong on the list.`;

export const potentialLeversStep: StepDef = {
  name: 'PotentialLevers',
  deps: ['Setup', 'IdentifyPurpose', 'PlanType', 'ExtractConstraints'],
  llm: true,
  outputs: ['potential_levers_raw.json', 'potential_levers.json'],
  async run(ctx) {
    const sources = readSources(ctx, [
      PLAN_FILE,
      ['identify_purpose.md', 'Purpose'],
      ['plan_type.md', 'Plan type'],
      ['extract_constraints.md', 'Stated constraints'],
    ]);
    const v = await ctx.llmJson(PotentialLeversSchema, planMessages(SYSTEM, sources, 'Identify the strategic levers of this plan.'), { schemaName: 'PotentialLevers' });
    const levers: Lever[] = v.levers.map((l, i) => ({ lever_id: `L${i + 1}`, name: l.name, consequences: l.consequences, options: l.options, review: l.review }));
    return { 'potential_levers_raw.json': prettyJson(v), 'potential_levers.json': prettyJson(levers) };
  },
};
