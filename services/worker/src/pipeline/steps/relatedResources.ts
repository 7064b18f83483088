/** Step 40: similar projects and what this plan can learn from them. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const RelatedResourcesSchema = z.object({
  similar_projects: z
    .array(
      z.object({
        project_name: z.string(),
        description: z.string().describe('What it did, where and when, at what scale'),
        outcome: z.string().describe('How it went, with numbers where known'),
        lessons: z.array(z.string()).min(1).describe('What this plan should copy or avoid'),
        where_to_learn_more: z.string().describe('Organisation, report or person to contact; no invented web addresses'),
      }),
    )
    .min(1),
  summary: z.string().describe('The few lessons that matter most for this plan'),
});

const SYSTEM = `You are a research analyst finding precedents for a project. Your reader is the project lead, who wants
to learn from people who tried something similar before committing the budget.

You get the plan prompt, its purpose, the chosen scenario and the project plan. Describe three to six comparable
projects — real ones you are confident about, named honestly as "typical case" when you only know the pattern —
with what they did, how it turned out and the concrete lessons for this plan. Say where to learn more by naming an
organisation, report or role to contact; do not invent web addresses. Finish with the few lessons that matter most.`;

export const relatedResourcesStep = singleCallStep({
  name: 'RelatedResources',
  deps: ['Setup', 'IdentifyPurpose', 'ScenariosMarkdown', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan'],
  rawFile: 'related_resources_raw.json',
  mdFile: 'related_resources.md',
  inputs: [
    PLAN_FILE,
    ['identify_purpose.md', 'Purpose'],
    ['scenarios.md', 'Chosen scenario'],
    ['consolidate_assumptions_short.md', 'Assumptions (short)'],
    ['project_plan.md', 'Project plan'],
  ],
  system: SYSTEM,
  request: 'Find comparable projects and their lessons for this plan.',
  schema: RelatedResourcesSchema,
  render: (v) =>
    mdJoin([
      mdTable(['Project', 'Description', 'Outcome', 'Where to learn more'], v.similar_projects.map((p) => [p.project_name, p.description, p.outcome, p.where_to_learn_more])),
      ...v.similar_projects.map((p) => mdSection(`Lessons from ${p.project_name}`, mdBullets(p.lessons), 3)),
      mdSection('Summary', v.summary),
    ]),
});
