/** Step 35: governance phase 3 — the steps that put the governance bodies and controls in place. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { mdTable } from '../markdownText.ts';

export const GovernanceImplPlanSchema = z.object({
  steps: z
    .array(
      z.object({
        step_description: z.string(),
        responsible: z.string().describe('Role or body that does it'),
        timeframe: z.string().describe('e.g. "Project week 2"'),
        key_outputs: z.array(z.string()).min(1),
        dependencies: z.array(z.string()).describe('Earlier steps or documents it needs'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are the project management office lead. Your reader is the interim chair who must make the
governance described below real in the first weeks of the project.

You get the plan prompt, its purpose, the strategic decisions and chosen scenario, the assumptions, the project plan,
the audit controls and the governance bodies. Write the ordered steps that set everything up: drafting terms of
reference, appointing members, holding first meetings, adopting the audit procedures and reporting templates. Each
step has a responsible role or body, a timeframe relative to project start, the documents or decisions it produces,
and what it depends on. Eight to fifteen steps; nothing that the bodies and controls above do not need.`;

export const governancePhase3ImplPlanStep = singleCallStep({
  name: 'GovernancePhase3ImplPlan',
  deps: governanceDeps(3),
  rawFile: 'governance_phase3_impl_plan_raw.json',
  mdFile: 'governance_phase3_impl_plan.md',
  inputs: governanceInputs(3),
  system: SYSTEM,
  request: 'Write the implementation plan for the governance of this project.',
  schema: GovernanceImplPlanSchema,
  render: (v) =>
    mdTable(
      ['#', 'Step', 'Responsible', 'Timeframe', 'Outputs', 'Depends on'],
      v.steps.map((s, i) => [i + 1, s.step_description, s.responsible, s.timeframe, s.key_outputs, s.dependencies]),
    ),
});
