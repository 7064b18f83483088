/** Step 49: the data the plan still needs, how to get it and how to validate it. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const DataCollectionSchema = z.object({
  data_items: z
    .array(
      z.object({
        title: z.string().describe('e.g. "Foot traffic on candidate streets"'),
        purpose: z.string().describe('Which decision or assumption it supports'),
        data_to_collect: z.array(z.string()).min(1),
        collection_method: z.string().describe('Desk research, survey, site visit, simulation, quotes, …'),
        validation: z.string().describe('How an expert or second source confirms it'),
        responsible_role: z.string(),
        needed_by: z.string().describe('Milestone or week it is needed by'),
      }),
    )
    .min(1),
  summary: z.string().describe('The riskiest gaps in the evidence, and what to collect first'),
});

const SYSTEM = `You are a research coordinator turning a plan's open questions into a data-collection plan. Your
reader is the project lead, who must decide which facts to gather before committing money.

You get the plan prompt, the assumptions, the project plan, the team, the SWOT analysis and the experts' criticism.
List six to ten data items, prioritising those behind the assumptions and expert concerns that would change the
plan if wrong. For each: the decision it supports, the specific data points, how to collect them cheaply (desk
research and simulation first, field work where needed), how to validate them with an expert or a second source,
who is responsible and when it is needed. Finish with the riskiest evidence gaps and what to collect first.`;

export const dataCollectionStep = singleCallStep({
  name: 'DataCollection',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'TeamMarkdown', 'SWOTAnalysis', 'ExpertReview'],
  rawFile: 'data_collection_raw.json',
  mdFile: 'data_collection.md',
  inputs: [
    PLAN_FILE,
    ['consolidate_assumptions_short.md', 'Assumptions (short)'],
    ['project_plan.md', 'Project plan'],
    ['team.md', 'Team'],
    ['swot_analysis.md', 'SWOT analysis'],
    ['expert_criticism.md', 'Expert criticism'],
  ],
  system: SYSTEM,
  request: 'Write the data-collection plan.',
  schema: DataCollectionSchema,
  render: (v) =>
    mdJoin([
      mdTable(
        ['Data item', 'Purpose', 'Method', 'Validation', 'Responsible', 'Needed by'],
        v.data_items.map((d) => [d.title, d.purpose, d.collection_method, d.validation, d.responsible_role, d.needed_by]),
      ),
      ...v.data_items.map((d) => mdSection(`Data to collect: ${d.title}`, mdBullets(d.data_to_collect), 3)),
      mdSection('Summary', v.summary),
    ]),
});
