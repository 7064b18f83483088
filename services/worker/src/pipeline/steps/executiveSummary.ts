/** Step 66: the executive summary that opens the report. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSection } from '../markdownText.ts';

export const ExecutiveSummarySchema = z.object({
  focus_and_context: z.string().describe('What the project is and why now, two or three sentences'),
  purpose_and_goals: z.string(),
  key_deliverables: z.array(z.string()).min(1),
  timeline_and_budget: z.string().describe('Duration, major milestones and budget with numbers'),
  top_risks_and_mitigations: z.array(z.string()).min(1),
  team: z.string().describe('The key roles in one or two sentences'),
  recommendation: z.string().describe('The decision asked of the reader and the next step'),
  key_takeaways: z.array(z.string()).min(1),
});

const SYSTEM = `You write the executive summary of a project plan for senior decision-makers and funders who will read
only this page before deciding to approve, change or stop the project.

Draw only on the documents below: the project plan, the assumptions, the risks, the SWOT analysis, the team, the
work breakdown and the critical review of the plan.
Lead with what the project is and why it matters; state goals, deliverables, the timeline with milestones and the
budget in numbers; name the few risks that could sink it and how they are handled; end with a clear recommendation
and next step. Plain language, no jargon, no filler, no claims that the documents do not support.`;

export const executiveSummaryStep = singleCallStep({
  name: 'ExecutiveSummary',
  deps: ['Setup', 'IdentifyRisks', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'TeamMarkdown', 'SWOTAnalysis', 'WBSProjectLevel1AndLevel2AndLevel3', 'ReviewPlan'],
  rawFile: 'executive_summary_raw.json',
  mdFile: 'executive_summary.md',
  inputs: [
    PLAN_FILE,
    ['project_plan.md', 'Project plan'],
    ['consolidate_assumptions_short.md', 'Assumptions and risks (short)'],
    ['identify_risks.md', 'Risk register'],
    ['swot_analysis.md', 'SWOT analysis'],
    ['team.md', 'Team'],
    ['wbs_project_level1_and_level2_and_level3.csv', 'Work breakdown structure (CSV)'],
    ['review_plan.md', 'Review of the plan'],
  ],
  system: SYSTEM,
  request: 'Write the executive summary.',
  schema: ExecutiveSummarySchema,
  render: (v) =>
    mdJoin([
      mdSection('Focus and context', v.focus_and_context),
      mdSection('Purpose and goals', v.purpose_and_goals),
      mdSection('Key deliverables', mdBullets(v.key_deliverables)),
      mdSection('Timeline and budget', v.timeline_and_budget),
      mdSection('Risks and mitigations', mdBullets(v.top_risks_and_mitigations)),
      mdSection('Team', v.team),
      mdSection('Recommendation', v.recommendation),
      mdSection('Key takeaways', mdBullets(v.key_takeaways)),
    ]),
});
