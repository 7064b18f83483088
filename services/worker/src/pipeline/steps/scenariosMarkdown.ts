/** Step 17: the candidate scenarios side by side and the chosen one, as the "Scenarios" document. */
import type { StepDef } from '../../engine/stepTypes.ts';
import { humanLabel, mdBullets, mdJoin, mdSafe, mdSection, mdTable } from '../markdownText.ts';
import type { CandidateScenario } from './candidateScenarios.ts';
import type { SelectedScenario } from './selectScenario.ts';

export function scenariosMarkdown(scenarios: CandidateScenario[], selected: SelectedScenario): string {
  const chosen = selected.scenario;
  const comparison = mdTable(
    ['Scenario', 'Ambition', 'Logic', 'Trade-off'],
    scenarios.map((s) => [s.scenario_id === chosen.scenario_id ? `${s.name} (chosen)` : s.name, humanLabel(s.ambition), s.strategic_logic, s.key_tradeoff]),
  );
  const levers = [...new Set(scenarios.flatMap((s) => s.lever_settings.map((l) => l.lever)))];
  const settings = mdTable(
    ['Lever', ...scenarios.map((s) => s.name)],
    levers.map((lever) => [lever, ...scenarios.map((s) => s.lever_settings.find((l) => l.lever === lever)?.option ?? '')]),
  );
  const rejected = mdTable(['Scenario', 'Why not'], selected.rejected.map((r) => [scenarios.find((s) => s.scenario_id === r.scenario_id)?.name ?? r.scenario_id, r.reason]));
  return mdJoin([
    mdSection('Chosen scenario', mdJoin([`**${chosen.name}** (${humanLabel(chosen.ambition)})`, chosen.strategic_logic, selected.justification])),
    mdSection('Adjustments', mdBullets(selected.adjustments)),
    mdSection('Candidate scenarios', comparison),
    mdSection('Lever settings', settings),
    mdSection('Scenarios not chosen', rejected),
  ]);
}

export const scenariosMarkdownStep: StepDef = {
  name: 'ScenariosMarkdown',
  deps: ['CandidateScenarios', 'SelectScenario'],
  llm: false,
  outputs: ['scenarios.md'],
  async run(ctx) {
    const md = scenariosMarkdown(mdSafe(ctx.readJson<CandidateScenario[]>('candidate_scenarios.json')), mdSafe(ctx.readJson<SelectedScenario>('selected_scenario.json')));
    return { 'scenarios.md': md };
  },
};
