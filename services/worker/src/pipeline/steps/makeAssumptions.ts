/** Step 27: explicit planning assumptions for the questions the prompt leaves open. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { mdJoin, mdSafe, mdTable, prettyJson } from '../markdownText.ts';

export const AssumptionsSchema = z.object({
  assumptions: z
    .array(
      z.object({
        topic: z.string().describe('e.g. budget, timeline, team, location, regulation, market'),
        question: z.string().describe('The open question the prompt does not answer'),
        assumption: z.string().describe('The value assumed, with numbers where possible'),
        basis: z.string().describe('Why this is a reasonable default'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a senior project planner filling the gaps in a brief so the team can plan now instead of waiting.
Your reader will check every assumption later and replace the wrong ones.
You get the plan prompt, its purpose, the plan type, the candidate locations, the currency strategy and the risk
register.

Ask the 8 to 12 questions whose answers most change the plan (budget, timeline, team size, scale, location,
regulation, funding, market, technology) and answer each with an explicit, quantified assumption: "Budget is
250,000 EUR", not "budget is adequate". Keep what the user stated; assume only what is missing. Make the
assumptions consistent with the risks and locations already identified.`;

const INPUTS = [
  PLAN_FILE,
  ['identify_purpose.md', 'Purpose'],
  ['plan_type.md', 'Plan type'],
  ['physical_locations.md', 'Physical locations'],
  ['currency_strategy.md', 'Currency strategy'],
  ['identify_risks.md', 'Risks'],
] as const;

export const makeAssumptionsStep: StepDef = {
  name: 'MakeAssumptions',
  deps: ['Setup', 'IdentifyPurpose', 'PlanType', 'PhysicalLocations', 'CurrencyStrategy', 'IdentifyRisks'],
  llm: true,
  outputs: ['make_assumptions_raw.json', 'make_assumptions.json', 'make_assumptions.md'],
  async run(ctx) {
    const messages = planMessages(SYSTEM, readSources(ctx, INPUTS), 'Make the planning assumptions for this plan.');
    const v = await ctx.llmJson(AssumptionsSchema, messages, { schemaName: 'MakeAssumptions' });
    const md = mdJoin([mdTable(['Topic', 'Question', 'Assumption', 'Basis'], mdSafe(v.assumptions).map((a) => [a.topic, a.question, a.assumption, a.basis]))]);
    return { 'make_assumptions_raw.json': prettyJson(v), 'make_assumptions.json': prettyJson(v.assumptions), 'make_assumptions.md': md };
  },
};
