/** Step 37: governance phase 5 — how progress is monitored and when the plan is adapted. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { mdTable } from '../markdownText.ts';

export const MonitoringProgressSchema = z.object({
  monitoring: z
    .array(
      z.object({
        approach: z.string().describe('What is tracked, e.g. "Spend against budget per work package"'),
        tools: z.string().describe('Data source or tool, e.g. "monthly finance report"'),
        frequency: z.string(),
        responsible: z.string(),
        adaptation_trigger: z.string().describe('A measurable threshold that forces action'),
        adaptation_process: z.string().describe('What happens when the trigger fires, and who approves it'),
      }),
    )
    .min(1),
});

const SYSTEM = `You are the project controller defining how progress is monitored. Your reader is the steering body
that must notice trouble early and react before it becomes a crisis.

You get the plan prompt, the strategic decisions and chosen scenario, the assumptions, the project plan and the
governance designed so far (audit controls, bodies, implementation steps, escalation matrix). Define six to ten
monitoring approaches covering schedule, budget, quality, risks, stakeholder sentiment and the project's success
metrics. For each: the data source or tool, the frequency, the responsible role, a measurable trigger (a number or
date, not "if problems arise") and the adaptation process, routed through the bodies and escalation levels above.`;

export const governancePhase5MonitoringProgressStep = singleCallStep({
  name: 'GovernancePhase5MonitoringProgress',
  deps: governanceDeps(5),
  rawFile: 'governance_phase5_monitoring_progress_raw.json',
  mdFile: 'governance_phase5_monitoring_progress.md',
  inputs: governanceInputs(5),
  system: SYSTEM,
  request: 'Define how progress is monitored.',
  schema: MonitoringProgressSchema,
  render: (v) =>
    mdTable(
      ['Approach', 'Tools', 'Frequency', 'Responsible', 'Trigger', 'Adaptation'],
      v.monitoring.map((m) => [m.approach, m.tools, m.frequency, m.responsible, m.adaptation_trigger, m.adaptation_process]),
    ),
});
