/** Step 47: SWOT analysis of the project plan. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

const Items = z.array(z.string()).min(1);

export const SwotSchema = z.object({
  strengths: Items,
  weaknesses: Items,
  opportunities: Items,
  threats: Items,
  recommendations: z.array(z.object({ action: z.string(), rationale: z.string() })).min(1),
  strategic_objectives: z.array(z.string()).describe('SMART objectives that follow from the analysis'),
  missing_information: z.array(z.string()),
  questions_for_the_owner: z.array(z.string()),
});

const SYSTEM = `You are a strategy consultant preparing a SWOT analysis for the project's steering group.

Base it on the plan prompt, the purpose, the assumptions, the project plan and the lessons of similar projects. Strengths and weaknesses are internal
to the project (team, resources, design, budget); opportunities and threats are external (market, regulation,
partners, competition, environment). Give three to six specific items per quadrant, then recommendations that use
strengths against threats and fix weaknesses, SMART strategic objectives, the information still missing, and
questions the project owner should answer.`;

export const swotAnalysisStep = singleCallStep({
  name: 'SWOTAnalysis',
  deps: ['Setup', 'IdentifyPurpose', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'RelatedResources'],
  rawFile: 'swot_analysis_raw.json',
  mdFile: 'swot_analysis.md',
  inputs: [
    PLAN_FILE,
    ['identify_purpose.md', 'Purpose'],
    ['consolidate_assumptions_short.md', 'Assumptions (short)'],
    ['project_plan.md', 'Project plan'],
    ['related_resources.md', 'Similar projects'],
  ],
  system: SYSTEM,
  request: 'Write the SWOT analysis.',
  schema: SwotSchema,
  render: (v) =>
    mdJoin([
      mdSection('Strengths', mdBullets(v.strengths)),
      mdSection('Weaknesses', mdBullets(v.weaknesses)),
      mdSection('Opportunities', mdBullets(v.opportunities)),
      mdSection('Threats', mdBullets(v.threats)),
      mdSection('Recommendations', mdTable(['Action', 'Rationale'], v.recommendations.map((r) => [r.action, r.rationale]))),
      mdSection('Strategic objectives', mdBullets(v.strategic_objectives)),
      mdSection('Missing information', mdBullets(v.missing_information)),
      mdSection('Questions for the project owner', mdBullets(v.questions_for_the_owner)),
    ]),
});
