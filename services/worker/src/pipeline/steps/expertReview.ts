/**
 * Step 48: two outside experts criticise the plan. One call finds the experts (kept as `experts_raw.json` and
 * `experts.json`), then one call per expert (`expert_criticism_<n>_raw.json`); `expert_criticism.md` combines them.
 */
import { z } from 'zod';
import type { StepDef, StepOutputs } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { mdBullets, mdJoin, mdSafe, mdSection, mdTable, prettyJson } from '../markdownText.ts';
import { mapBounded } from '../boundedMap.ts';

/** Upstream always consults two experts, whatever the speed setting. */
export const EXPERT_COUNT = 2;

export const ExpertsSchema = z.object({
  experts: z
    .array(
      z.object({
        title: z.string().describe('Their speciality, e.g. "Food-safety inspector with retail experience"'),
        knowledge: z.string().describe('What they know that the plan needs'),
        why: z.string().describe('Which weakness of the plan they are best placed to judge'),
        questions: z.array(z.string()).min(1).describe('What to ask them'),
      }),
    )
    .min(1),
});

export const ExpertCriticismSchema = z.object({
  findings: z
    .array(
      z.object({
        title: z.string(),
        problem: z.string().describe('What is wrong or missing, specifically'),
        consequence: z.string().describe('What happens if it is not fixed, with numbers where possible'),
        root_cause: z.string(),
        recommendation: z.string().describe('A concrete fix the team can start on'),
      }),
    )
    .min(1),
  priority_actions: z.array(z.string()).min(1),
  summary: z.string(),
});

type Expert = z.output<typeof ExpertsSchema>['experts'][number];
type Criticism = z.output<typeof ExpertCriticismSchema>;

const FIND_SYSTEM = `You assemble a review panel for a project plan. Your reader is the sponsor, who can afford to
consult only a few outside experts and wants the ones most likely to find a fatal flaw.

You get the plan prompt, the project plan, the assumptions and the SWOT analysis. Propose four to six experts, most
valuable first, with complementary specialities (regulation, finance, operations, the technical core, the people
affected). For each say what they know, which weakness of this plan they are best placed to judge, and what to ask
them.`;

const REVIEW_SYSTEM = `You are the outside expert described below, reviewing a project plan for its sponsor. You were
brought in to find what the team missed, not to praise the plan; your reader will decide what to fix first.

You get the plan prompt, the project plan, the assumptions and the SWOT analysis. From your speciality, name the
three to five most serious problems: what is wrong, what it will cost if ignored (in money, time or outcome), its
root cause, and a concrete fix. Then list the actions the team should take first, and sum up your verdict in a few
sentences. Be direct and specific to this plan; generic project advice is worthless here.`;

function expertText(e: Expert): string {
  return `${e.title}\nKnowledge: ${e.knowledge}\nAsked to judge: ${e.why}\nQuestions: ${e.questions.join(' / ')}`;
}

export function expertCriticismMarkdown(reviews: Array<{ expert: Expert; criticism: Criticism }>): string {
  return mdJoin(
    reviews.map(({ expert, criticism }, i) =>
      mdSection(
        `Expert ${i + 1}: ${expert.title}`,
        mdJoin([
          criticism.summary,
          mdTable(['Finding', 'Problem', 'Consequence', 'Root cause', 'Recommendation'], criticism.findings.map((f) => [f.title, f.problem, f.consequence, f.root_cause, f.recommendation])),
          mdSection('Priority actions', mdBullets(criticism.priority_actions), 3),
        ]),
      ),
    ),
  );
}

export const expertReviewStep: StepDef = {
  name: 'ExpertReview',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'SWOTAnalysis'],
  llm: true,
  outputs: ['expert_criticism.md'],
  async run(ctx) {
    const base = readSources(ctx, [
      PLAN_FILE,
      ['project_plan.md', 'Project plan'],
      ['consolidate_assumptions_short.md', 'Assumptions (short)'],
      ['swot_analysis.md', 'SWOT analysis'],
    ]);
    const found = await ctx.llmJson(ExpertsSchema, planMessages(FIND_SYSTEM, base, 'Propose the review panel.'), { schemaName: 'ExpertReviewFind' });
    const experts = found.experts.slice(0, EXPERT_COUNT);
    const out: StepOutputs = { 'experts_raw.json': prettyJson(found), 'experts.json': prettyJson(experts) };
    // the experts criticise independently, side by side
    const reviews: Array<{ expert: Expert; criticism: Criticism }> = await mapBounded(experts, async (expert) => {
      ctx.signal.throwIfAborted();
      const sources = [...base, { title: 'You are this expert', text: expertText(expert) }];
      const criticism = await ctx.llmJson(ExpertCriticismSchema, planMessages(REVIEW_SYSTEM, sources, 'Criticise the plan from your speciality.'), { schemaName: 'ExpertReview' });
      return { expert, criticism };
    });
    reviews.forEach((r, n) => (out[`expert_criticism_${n + 1}_raw.json`] = prettyJson(r.criticism)));
    out['expert_criticism.md'] = expertCriticismMarkdown(mdSafe(reviews));
    return out;
  },
};
