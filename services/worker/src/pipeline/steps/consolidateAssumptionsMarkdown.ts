/** Step 30: the assumption work (steps 24–29) as one document, plus an LLM-shortened version for later prompts. */
import { z } from 'zod';
import type { StepContext, StepDef } from '../../engine/stepTypes.ts';
import { planMessages } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSafe, mdSection } from '../markdownText.ts';

/** The parts of the full document, in order. */
export const ASSUMPTION_PARTS = [
  ['physical_locations.md', 'Physical Locations'],
  ['currency_strategy.md', 'Currency Strategy'],
  ['identify_risks.md', 'Identify Risks'],
  ['make_assumptions.md', 'Make Assumptions'],
  ['distill_assumptions.md', 'Distill Assumptions'],
  ['review_assumptions.md', 'Review Assumptions'],
] as const;

export const ShortAssumptionsSchema = z.object({
  sections: z
    .array(
      z.object({
        title: z.string().describe('The section title, as given'),
        key_points: z.array(z.string()).min(1).describe('At most five bullets'),
      }),
    )
    .min(1),
});

const SYSTEM = `You condense planning notes for the people writing the project plan, who need the decisions and
numbers, not the reasoning.

For each section of the document below keep its title and write at most five bullets with the facts that constrain
the plan: chosen locations, currencies, the highest risks with their mitigations, quantified assumptions, and the
review's main corrections. Keep numbers, units, names and dates exactly. Drop hedging and repetition.`;

/** Demotes the headings of a part so it nests under the part's `##` heading. */
function nest(md: string): string {
  return md.replace(/^(#{1,5}) /gm, (_m, h: string) => `${h}# `);
}

export function fullAssumptionsMarkdown(ctx: Pick<StepContext, 'has' | 'read'>): string {
  return mdJoin(ASSUMPTION_PARTS.filter(([f]) => ctx.has(f)).map(([f, title]) => mdSection(title, nest(ctx.read(f)))));
}

export const consolidateAssumptionsMarkdownStep: StepDef = {
  name: 'ConsolidateAssumptionsMarkdown',
  deps: ['PhysicalLocations', 'CurrencyStrategy', 'IdentifyRisks', 'MakeAssumptions', 'DistillAssumptions', 'ReviewAssumptions'],
  llm: true,
  outputs: ['consolidate_assumptions_full.md', 'consolidate_assumptions_short.md'],
  async run(ctx) {
    const full = fullAssumptionsMarkdown(ctx);
    const messages = planMessages(SYSTEM, [{ title: 'Assumptions document', text: full }], 'Shorten each section of the assumptions document.');
    const v = mdSafe(await ctx.llmJson(ShortAssumptionsSchema, messages, { schemaName: 'ConsolidateAssumptionsShort' }));
    const short = mdJoin(v.sections.map((s) => mdSection(s.title, mdBullets(s.key_points))));
    return { 'consolidate_assumptions_full.md': full, 'consolidate_assumptions_short.md': short };
  },
};
