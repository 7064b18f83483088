/** Step 29: a critical review of the assumptions before they are built upon. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const ReviewAssumptionsSchema = z.object({
  issues: z
    .array(
      z.object({
        title: z.string(),
        problem: z.string().describe('What is missing, unrealistic or inconsistent'),
        recommendation: z.string(),
        sensitivity: z.string().describe('How much cost or time is at stake if the assumption is wrong, quantified'),
      }),
    )
    .min(1),
  conclusion: z.string(),
});

const SYSTEM = `You are an experienced reviewer auditing a plan's assumptions for the sponsor before money is committed.
You get the plan prompt, its purpose, the candidate locations, the currency strategy, the risk register and the
assumptions, in full and distilled.

Find the three to five most consequential problems: assumptions that are unrealistic, missing, or inconsistent with
each other or with the risks and locations. For each, recommend a fix and estimate the sensitivity — what happens
to budget or schedule (in numbers) if the assumption turns out wrong. Finish with an overall conclusion.`;

export const reviewAssumptionsStep = singleCallStep({
  name: 'ReviewAssumptions',
  deps: ['Setup', 'IdentifyPurpose', 'PhysicalLocations', 'CurrencyStrategy', 'IdentifyRisks', 'MakeAssumptions', 'DistillAssumptions'],
  rawFile: 'review_assumptions_raw.json',
  mdFile: 'review_assumptions.md',
  inputs: [
    PLAN_FILE,
    ['identify_purpose.md', 'Purpose'],
    ['physical_locations.md', 'Physical locations'],
    ['currency_strategy.md', 'Currency strategy'],
    ['identify_risks.md', 'Risks'],
    ['make_assumptions.md', 'Assumptions'],
    ['distill_assumptions.md', 'Distilled assumptions'],
  ],
  system: SYSTEM,
  request: 'Review the assumptions of this plan.',
  schema: ReviewAssumptionsSchema,
  render: (v) =>
    mdJoin([
      mdTable(['Issue', 'Problem', 'Recommendation', 'Sensitivity'], v.issues.map((i) => [i.title, i.problem, i.recommendation, i.sensitivity])),
      mdSection('Conclusion', v.conclusion),
    ]),
});
