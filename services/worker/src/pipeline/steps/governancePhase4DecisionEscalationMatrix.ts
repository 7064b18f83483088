/** Step 36: governance phase 4 — which issue goes to whom, and how it is settled. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { mdTable } from '../markdownText.ts';

export const DecisionEscalationMatrixSchema = z.object({
  entries: z
    .array(
      z.object({
        issue: z.string().describe('A concrete kind of issue, with a threshold, e.g. "Cost overrun above 10%"'),
        escalation_level: z.string().describe('The body or role that decides it'),
        approval_process: z.string(),
        rationale: z.string(),
        consequence_if_unresolved: z.string(),
      }),
    )
    .min(1),
});

const SYSTEM = `You are a governance adviser writing the decision escalation matrix. Your reader is any team member who
hits a problem beyond their authority and needs to know, in seconds, who decides and how.

You get the plan prompt, the strategic decisions and chosen scenario, the assumptions, the project plan and the
governance designed so far (audit controls, bodies, implementation steps). List six to ten issue types this project
will realistically meet — budget overruns with thresholds, schedule slips, scope changes, safety or ethics
incidents, disputes between bodies, vendor failures — and for each the escalation level (one of the bodies or roles
above), the approval process, why it sits at that level, and what happens if it is left unresolved.`;

export const governancePhase4DecisionEscalationMatrixStep = singleCallStep({
  name: 'GovernancePhase4DecisionEscalationMatrix',
  deps: governanceDeps(4),
  rawFile: 'governance_phase4_decision_escalation_matrix_raw.json',
  mdFile: 'governance_phase4_decision_escalation_matrix.md',
  inputs: governanceInputs(4),
  system: SYSTEM,
  request: 'Write the decision escalation matrix.',
  schema: DecisionEscalationMatrixSchema,
  render: (v) =>
    mdTable(
      ['Issue', 'Escalation level', 'Approval process', 'Rationale', 'If unresolved'],
      v.entries.map((e) => [e.issue, e.escalation_level, e.approval_process, e.rationale, e.consequence_if_unresolved]),
    ),
});
