/**
 * Step 65: a critical review of the finished plan, one question theme per call, in the 16 themes of spec §2.
 * Fast mode asks only the first 3 themes (spec §4).
 */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources, REPEATED_CALL_SOURCE_CHARS } from '../promptMessages.ts';
import { mdJoin, mdSafe, mdSection, prettyJson } from '../markdownText.ts';
import { mapBounded } from '../boundedMap.ts';

export const FAST_REVIEW_THEMES = 3;

/** [theme, the question asked about the plan]. Order matters: fast mode asks the first three. */
export const REVIEW_THEMES: ReadonlyArray<readonly [string, string]> = [
  ['Critical Issues', 'What are the most critical issues in this plan — the ones that would stop or badly damage it — and why?'],
  ['Implementation Consequences', 'What consequences, intended and unintended, will carrying out this plan have on cost, schedule, people and surroundings?'],
  ['Recommended Actions', 'Which concrete actions should the team take in the next month to strengthen the plan, in order of priority?'],
  ['Showstopper Risks', 'Which risks could end the project outright, how likely are they, and what would contain each one?'],
  ['Critical Assumptions', 'Which assumptions carry the most weight, what evidence supports them, and what happens if each is wrong?'],
  ['Key Performance Indicators', 'Which measurable indicators, with target values, show whether the project is on track and succeeding?'],
  ['Report Objectives', 'Who is this plan for, what decisions should it enable, and does it give those readers what they need?'],
  ['Data Quality Concerns', 'Where does the plan rest on weak, missing or unverified data, and how should that data be checked?'],
  ['Stakeholder Feedback', 'Which stakeholders must be consulted before committing, and what feedback is needed from each?'],
  ['Changed Assumptions', 'Which assumptions may already be outdated or could change during the project, and how should the plan react?'],
  ['Budget Clarifications', 'Which budget items are unclear, missing or under-estimated, and what must be clarified before funding is committed?'],
  ['Role Definitions', 'Which roles and responsibilities are unclear or overlapping, and how should they be defined?'],
  ['Timeline Dependencies', 'Which dependencies in the timeline are fragile or missing, and where is the critical path exposed?'],
  ['Financial Strategy', 'Is the long-term financial strategy sound — funding, cash flow, operating costs after launch — and what is missing?'],
  ['Motivation Factors', 'What keeps the team and partners motivated through setbacks, and where could motivation fail?'],
  ['Automation Opportunities', 'Which tasks could be automated or streamlined to save time or money, and what would that take?'],
];

export const ReviewThemeSchema = z.object({
  points: z
    .array(
      z.object({
        headline: z.string().describe('The point in a few words'),
        detail: z.string().describe('Explanation with specifics from the plan: numbers, tasks, roles, dates'),
      }),
    )
    .min(1),
});

export interface ReviewAnswer {
  theme: string;
  question: string;
  points: z.output<typeof ReviewThemeSchema>['points'];
}

const SYSTEM = `You are a senior reviewer examining a finished project plan for the sponsor before it is approved. The
sponsor will read your review to decide what must be fixed first, so each point must be specific enough to act on.

You get the plan prompt and the plan's documents: assumptions, project plan, governance, team, SWOT analysis,
expert criticism, data collection, documents to create and find, the pitch and the work breakdown. Answer the one
question you are asked with three to five points. Each point has a short headline and a detail that refers to the
plan itself — its numbers, tasks, roles and dates — and says what should change. Other reviewers answer the other
themes at the same time, so stay within your theme.`;

const INPUTS = [
  PLAN_FILE,
  ['consolidate_assumptions_short.md', 'Assumptions (short)'],
  ['project_plan.md', 'Project plan'],
  ['consolidate_governance.md', 'Governance'],
  ['team.md', 'Team'],
  ['swot_analysis.md', 'SWOT analysis'],
  ['expert_criticism.md', 'Expert criticism'],
  ['data_collection.md', 'Data collection'],
  ['documents_to_create_and_find.md', 'Documents to create and find'],
  ['pitch.md', 'Pitch'],
  ['wbs_project_level1_and_level2_and_level3.csv', 'Work breakdown structure (CSV)'],
] as const;

export function reviewPlanMarkdown(answers: ReviewAnswer[]): string {
  return mdJoin(answers.map((a) => mdSection(a.theme, mdJoin([`_${a.question}_`, a.points.map((p) => `- **${p.headline.replace(/\*/g, '')}:** ${p.detail.replace(/\r?\n+/g, ' ')}`).join('\n')]))));
}

export const reviewPlanStep: StepDef = {
  name: 'ReviewPlan',
  deps: [
    'Setup',
    'ConsolidateAssumptionsMarkdown',
    'ProjectPlan',
    'ConsolidateGovernance',
    'TeamMarkdown',
    'SWOTAnalysis',
    'ExpertReview',
    'DataCollection',
    'MarkdownWithDocumentsToCreateAndFind',
    'ConvertPitchToMarkdown',
    'WBSProjectLevel1AndLevel2AndLevel3',
  ],
  llm: true,
  outputs: ['review_plan_raw.json', 'review_plan.md'],
  async run(ctx) {
    const themes = ctx.speed === 'fast_but_skip_details' ? REVIEW_THEMES.slice(0, FAST_REVIEW_THEMES) : REVIEW_THEMES;
    const base = readSources(ctx, INPUTS);
    // the themes are independent questions about the same documents: asked side by side, answers kept in theme order
    const answers: ReviewAnswer[] = await mapBounded(themes, async ([theme, question]) => {
      ctx.signal.throwIfAborted();
      const messages = planMessages(SYSTEM, base, `Theme: ${theme}. ${question}`, { maxSourceChars: REPEATED_CALL_SOURCE_CHARS });
      const v = await ctx.llmJson(ReviewThemeSchema, messages, { schemaName: 'ReviewPlan' });
      return { theme, question, points: v.points };
    });
    return { 'review_plan_raw.json': prettyJson(answers), 'review_plan.md': reviewPlanMarkdown(mdSafe(answers)) };
  },
};
