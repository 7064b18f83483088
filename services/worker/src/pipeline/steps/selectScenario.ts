/** Step 16: the scenario the plan follows, chosen against the prompt, purpose and constraints. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { pickByKey } from '../answerMatching.ts';
import { scenariosText, type CandidateScenario } from './candidateScenarios.ts';

export const SelectScenarioSchema = z.object({
  chosen_scenario_id: z.string().describe('The id exactly as listed, e.g. "S2"'),
  justification: z.string().describe('Why this scenario fits the prompt, budget, constraints and risk appetite best'),
  rejected: z.array(z.object({ scenario_id: z.string(), reason: z.string() })),
  adjustments: z.array(z.string()).describe('Tweaks to the chosen scenario that the plan should adopt; may be empty'),
});

export interface SelectedScenario {
  scenario: CandidateScenario;
  justification: string;
  adjustments: string[];
  rejected: Array<{ scenario_id: string; reason: string }>;
}

const SYSTEM = `You advise the project owner on which strategic path to commit to. Everything planned after this step
follows the scenario you choose, so the choice must fit what the user actually asked for.

You get the plan prompt, its purpose, the constraints the user stated and three candidate scenarios. Choose the one
that best fits the stated goals, budget, constraints and the risk appetite the prompt implies — an ambitious
prompt deserves an ambitious path, a cautious one a cautious path. Refer to scenarios by their ids exactly as
listed. Explain the choice, say why each other scenario lost, and list small adjustments worth borrowing from them.`;

export const selectScenarioStep: StepDef = {
  name: 'SelectScenario',
  deps: ['Setup', 'IdentifyPurpose', 'ExtractConstraints', 'CandidateScenarios'],
  llm: true,
  outputs: ['selected_scenario_raw.json', 'selected_scenario.json'],
  async run(ctx) {
    const scenarios = ctx.readJson<CandidateScenario[]>('candidate_scenarios.json');
    const sources = [
      ...readSources(ctx, [PLAN_FILE, ['identify_purpose.md', 'Purpose'], ['extract_constraints.md', 'Stated constraints']]),
      { title: 'Candidate scenarios', text: scenariosText(scenarios) },
    ];
    const v = await ctx.llmJson(SelectScenarioSchema, planMessages(SYSTEM, sources, 'Choose the scenario to follow.'), { schemaName: 'SelectScenario' });
    // an unknown id falls back to the moderate scenario (else the first)
    const scenario =
      pickByKey(scenarios, (s) => s.scenario_id, [v.chosen_scenario_id])[0] ?? scenarios.find((s) => s.ambition === 'moderate') ?? scenarios[0];
    const selected: SelectedScenario = { scenario, justification: v.justification, adjustments: v.adjustments, rejected: v.rejected };
    return { 'selected_scenario_raw.json': prettyJson(v), 'selected_scenario.json': prettyJson(selected) };
  },
};
