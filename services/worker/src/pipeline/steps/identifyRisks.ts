/** Step 26: the risk register. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin, mdSection, mdTable } from '../markdownText.ts';

const Level = z.enum(['low', 'medium', 'high']);

export const RisksSchema = z.object({
  risks: z
    .array(
      z.object({
        area: z.string().describe('e.g. regulatory, financial, technical, operational, supply chain, social, security'),
        description: z.string(),
        impact: z.string().describe('What happens to cost, schedule or outcome if it occurs'),
        likelihood: Level,
        severity: Level,
        mitigation: z.string().describe('A concrete action, with who and when if possible'),
      }),
    )
    .min(1),
  summary: z.string().describe('The two or three risks that matter most and why'),
});

const SYSTEM = `You are the project's risk manager writing the first risk register. Your reader is the sponsor who must
decide where to spend contingency.
You get the plan prompt, its purpose, the plan type, the candidate locations and the currency strategy.

Identify 6 to 10 risks specific to this plan, its location and its currency situation, across different areas.
For each state the impact in concrete terms (delay in weeks, cost in the budget currency, outcome lost), rate
likelihood and severity honestly, and give a mitigation someone can start on. Avoid generic entries such as
"project may be delayed" without a cause.`;

export const identifyRisksStep = singleCallStep({
  name: 'IdentifyRisks',
  deps: ['Setup', 'IdentifyPurpose', 'PlanType', 'PhysicalLocations', 'CurrencyStrategy'],
  rawFile: 'identify_risks_raw.json',
  mdFile: 'identify_risks.md',
  inputs: [
    PLAN_FILE,
    ['identify_purpose.md', 'Purpose'],
    ['plan_type.md', 'Plan type'],
    ['physical_locations.md', 'Physical locations'],
    ['currency_strategy.md', 'Currency strategy'],
  ],
  system: SYSTEM,
  request: 'Identify the risks of this plan.',
  schema: RisksSchema,
  render: (v) =>
    mdJoin([
      mdTable(
        ['Area', 'Risk', 'Impact', 'Likelihood', 'Severity', 'Mitigation'],
        v.risks.map((r) => [r.area, r.description, r.impact, humanLabel(r.likelihood), humanLabel(r.severity), r.mitigation]),
      ),
      mdSection('Summary', v.summary),
    ]),
});
