/** Step 39: the six governance phases as one document. */
import type { StepContext, StepDef } from '../../engine/stepTypes.ts';
import { GOVERNANCE_PHASES } from '../governanceModel.ts';
import { mdJoin, mdSection } from '../markdownText.ts';

/** Nests each phase under a `##` heading (the phases use `###` and below already). */
export function consolidatedGovernance(ctx: Pick<StepContext, 'has' | 'read'>): string {
  return mdJoin(GOVERNANCE_PHASES.filter(([, stem]) => ctx.has(`${stem}.md`)).map(([, stem, title]) => mdSection(title, ctx.read(`${stem}.md`))));
}

export const consolidateGovernanceStep: StepDef = {
  name: 'ConsolidateGovernance',
  deps: GOVERNANCE_PHASES.map(([name]) => name),
  llm: false,
  outputs: ['consolidate_governance.md'],
  async run(ctx) {
    return { 'consolidate_governance.md': consolidatedGovernance(ctx) };
  },
};
