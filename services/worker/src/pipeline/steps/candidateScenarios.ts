/** Step 15: three coherent scenarios — aggressive, moderate, conservative — each a setting of the vital few levers. */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { prettyJson } from '../markdownText.ts';
import { leversText, readLevers } from '../leverModel.ts';

export const AMBITIONS = ['aggressive', 'moderate', 'conservative'] as const;

export const CandidateScenariosSchema = z.object({
  scenarios: z
    .array(
      z.object({
        name: z.string().describe('A short memorable name, e.g. "Pilot First"'),
        ambition: z.enum(AMBITIONS),
        strategic_logic: z.string().describe('The idea that ties the lever settings together, two or three sentences'),
        lever_settings: z
          .array(z.object({ lever: z.string().describe('Lever name as listed'), option: z.string().describe('One of its options, as listed') }))
          .min(1),
        key_tradeoff: z.string().describe('What this scenario gives up to get what it wants'),
      }),
    )
    .min(1),
});

export type CandidateScenario = z.output<typeof CandidateScenariosSchema>['scenarios'][number] & { scenario_id: string };

const SYSTEM = `You are a strategy adviser turning a set of decisions into alternative paths for the project owner,
who will compare them side by side and choose one.

You get the plan prompt, its purpose and the vital few levers with their options. Write three internally
consistent scenarios — one aggressive, one moderate, one conservative — in that order. Each scenario chooses exactly
one listed option for every lever (name lever and option as listed) so that the choices reinforce each other,
explains the logic that ties them together, and states honestly what it sacrifices. The three should be real
alternatives a reasonable owner could pick, not a strawman and two variants.`;

export const candidateScenariosStep: StepDef = {
  name: 'CandidateScenarios',
  deps: ['Setup', 'IdentifyPurpose', 'FocusOnVitalFewLevers'],
  llm: true,
  outputs: ['candidate_scenarios_raw.json', 'candidate_scenarios.json'],
  async run(ctx) {
    const levers = readLevers(ctx, 'vital_few_levers_raw.json');
    const sources = [...readSources(ctx, [PLAN_FILE, ['identify_purpose.md', 'Purpose']]), { title: 'Vital few levers', text: leversText(levers) }];
    const v = await ctx.llmJson(CandidateScenariosSchema, planMessages(SYSTEM, sources, 'Write the three candidate scenarios.'), { schemaName: 'CandidateScenarios' });
    const scenarios: CandidateScenario[] = v.scenarios.map((s, i) => ({ scenario_id: `S${i + 1}`, ...s }));
    return { 'candidate_scenarios_raw.json': prettyJson(v), 'candidate_scenarios.json': prettyJson(scenarios) };
  },
};

/** The scenarios as the model sees them. */
export function scenariosText(scenarios: readonly CandidateScenario[]): string {
  return scenarios
    .map((s) => [`${s.scenario_id}. ${s.name} (${s.ambition})`, `   Logic: ${s.strategic_logic}`, ...s.lever_settings.map((l) => `   - ${l.lever}: ${l.option}`), `   Trade-off: ${s.key_tradeoff}`].join('\n'))
    .join('\n');
}
