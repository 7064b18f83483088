/** Step 25: which currencies the budget uses and how exchange-rate risk is handled. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const CurrencySchema = z.object({
  money_involved: z.boolean(),
  primary_currency: z.string().describe('ISO 4217 code used for budgeting, e.g. EUR'),
  currencies: z.array(z.object({ code: z.string().describe('ISO 4217 code'), role: z.string().describe('What is paid or earned in it') })),
  exchange_risk_approach: z.string().describe('How exchange-rate swings are handled; "not applicable" when one currency'),
});

const SYSTEM = `You are the finance lead setting up the budget. Your reader is whoever will track costs.
You get the plan prompt, its purpose, the plan type and the candidate locations.

Choose the currency the budget should be kept in (usually the one of the main location; a stable reserve currency
only when the work spans countries or the local currency is volatile). List every currency money will actually
move in and why, and state a practical approach to exchange-rate risk. If the plan involves no money at all, say so
and keep the lists short.`;

export const currencyStrategyStep = singleCallStep({
  name: 'CurrencyStrategy',
  deps: ['Setup', 'IdentifyPurpose', 'PlanType', 'PhysicalLocations'],
  rawFile: 'currency_strategy_raw.json',
  mdFile: 'currency_strategy.md',
  inputs: [PLAN_FILE, ['identify_purpose.md', 'Purpose'], ['plan_type.md', 'Plan type'], ['physical_locations.md', 'Physical locations']],
  system: SYSTEM,
  request: 'Define the currency strategy for this plan.',
  schema: CurrencySchema,
  render: (v) =>
    mdJoin([
      `**Money involved:** ${v.money_involved ? 'Yes' : 'No'}`,
      `**Primary currency:** ${v.primary_currency}`,
      mdSection('Currencies', mdTable(['Currency', 'Role'], v.currencies.map((c) => [c.code, c.role]))),
      mdSection('Exchange-rate risk', v.exchange_risk_approach),
    ]),
});
