/** Step 32: the project plan proper — goal, SMART criteria, milestones, stakeholders, compliance. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const ProjectPlanSchema = z.object({
  goal_statement: z.string(),
  smart_criteria: z.object({
    specific: z.string(),
    measurable: z.string(),
    achievable: z.string(),
    relevant: z.string(),
    time_bound: z.string(),
  }),
  milestones: z.array(z.object({ name: z.string(), description: z.string(), target: z.string().describe('Date or week offset from start') })).min(1),
  dependencies: z.array(z.string()),
  resources_required: z.array(z.string()),
  stakeholders: z.array(z.object({ stakeholder: z.string(), interest: z.string(), engagement: z.string() })),
  regulatory_and_compliance: z.array(z.string()),
  success_metrics: z.array(z.string()),
});

const SYSTEM = `You are a project manager writing the plan the team and sponsor will sign off. It must be specific enough
that someone could start work on Monday.

Use the plan prompt, the strategic decisions and chosen scenario, the assumptions and the pre-project
assessment. Write one goal statement, SMART criteria tied
to this project's numbers, 4 to 8 milestones with targets (dates from the stated start date, or week offsets),
the key dependencies, required resources, stakeholders with how to engage them, the permits and regulations that
apply, and measurable success metrics. Respect the immediate actions and conditions from the assessment.`;

export const projectPlanStep = singleCallStep({
  name: 'ProjectPlan',
  deps: ['Setup', 'StrategicDecisionsMarkdown', 'ScenariosMarkdown', 'ConsolidateAssumptionsMarkdown', 'PreProjectAssessment'],
  rawFile: 'project_plan_raw.json',
  mdFile: 'project_plan.md',
  inputs: [
    PLAN_FILE,
    ['strategic_decisions.md', 'Strategic decisions'],
    ['scenarios.md', 'Chosen scenario'],
    ['consolidate_assumptions_short.md', 'Assumptions (short)'],
    ['pre_project_assessment.json', 'Pre-project assessment'],
  ],
  system: SYSTEM,
  request: 'Write the project plan.',
  schema: ProjectPlanSchema,
  render: (v) =>
    mdJoin([
      mdSection('Goal statement', v.goal_statement),
      mdSection(
        'SMART criteria',
        mdTable(['Criterion', 'Detail'], [
          ['Specific', v.smart_criteria.specific],
          ['Measurable', v.smart_criteria.measurable],
          ['Achievable', v.smart_criteria.achievable],
          ['Relevant', v.smart_criteria.relevant],
          ['Time-bound', v.smart_criteria.time_bound],
        ]),
      ),
      mdSection('Milestones', mdTable(['Milestone', 'Description', 'Target'], v.milestones.map((m) => [m.name, m.description, m.target]))),
      mdSection('Dependencies', mdBullets(v.dependencies)),
      mdSection('Resources required', mdBullets(v.resources_required)),
      mdSection('Stakeholders', mdTable(['Stakeholder', 'Interest', 'Engagement'], v.stakeholders.map((s) => [s.stakeholder, s.interest, s.engagement]))),
      mdSection('Regulatory and compliance', mdBullets(v.regulatory_and_compliance)),
      mdSection('Success metrics', mdBullets(v.success_metrics)),
    ]),
});
