/**
 * Step 69: a premortem — imagine the project has failed and work out why. Three rounds, each from a different
 * angle and told what the earlier rounds found; fast mode runs only the first round (spec §4).
 */
import { z } from 'zod';
import type { StepDef } from '../../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from '../promptMessages.ts';
import { humanLabel, mdBullets, mdJoin, mdSafe, mdSection, mdTable, prettyJson } from '../markdownText.ts';

export const PREMORTEM_ROUNDS = [
  'Assumptions that proved false: the plan rested on something that was not true.',
  'Execution that broke down: people, suppliers, money or schedule failed during delivery.',
  'The outside world changed: regulation, market, partners, public opinion or a shock event.',
] as const;
export const FAST_PREMORTEM_ROUNDS = 1;

const Level = z.enum(['low', 'medium', 'high']);

export const PremortemRoundSchema = z.object({
  assumptions_to_test: z
    .array(z.object({ assumption: z.string(), test: z.string().describe('A cheap, quick test with a pass/fail threshold'), if_false: z.string() }))
    .min(1),
  failure_modes: z
    .array(
      z.object({
        title: z.string(),
        story: z.string().describe('How the failure unfolded, told as if it already happened, three to five sentences'),
        root_cause: z.string(),
        likelihood: Level,
        impact: Level,
        early_warning_signs: z.array(z.string()).min(1),
        tripwire: z.string().describe('A measurable threshold that triggers the response'),
        response: z.array(z.string()).min(1).describe('The first actions when the tripwire fires'),
        owner_role: z.string(),
      }),
    )
    .min(1),
});

type Round = z.output<typeof PremortemRoundSchema>;

const SYSTEM = `You lead a premortem for a project team. Imagine it is two years from now and the project has failed
badly. Your reader is the project lead, who wants to prevent that failure while there is still time.

You get the plan prompt, the project plan, the assumptions, the review of the plan and the Q&A. Work from the angle
you are given and do not repeat failures found in earlier rounds. First list the assumptions that, if false, would
cause this kind of failure, each with a cheap test and a pass/fail threshold. Then tell two or three failure stories
as if they had happened: how it unfolded, the root cause, its likelihood and impact, the early warning signs, a
measurable tripwire, the first response actions and who owns them.`;

export function premortemMarkdown(rounds: Array<{ angle: string; answer: Round }>): string {
  const assumptions = rounds.flatMap((r) => r.answer.assumptions_to_test);
  const failures = rounds.flatMap((r) => r.answer.failure_modes);
  return mdJoin([
    mdSection('Assumptions to test', mdTable(['Assumption', 'Test', 'If false'], assumptions.map((a) => [a.assumption, a.test, a.if_false]))),
    mdSection(
      'Failure modes',
      mdTable(['Failure', 'Root cause', 'Likelihood', 'Impact', 'Tripwire', 'Owner'], failures.map((f) => [f.title, f.root_cause, humanLabel(f.likelihood), humanLabel(f.impact), f.tripwire, f.owner_role])),
    ),
    ...failures.map((f) =>
      mdSection(f.title, mdJoin([f.story, mdSection('Early warning signs', mdBullets(f.early_warning_signs), 4), mdSection('Response', mdBullets(f.response), 4)]), 3),
    ),
    mdSection('Angles examined', mdBullets(rounds.map((r) => r.angle))),
  ]);
}

export const premortemStep: StepDef = {
  name: 'Premortem',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'ReviewPlan', 'QuestionsAndAnswers'],
  llm: true,
  outputs: ['premortem_raw.json', 'premortem.md'],
  async run(ctx) {
    const angles = ctx.speed === 'fast_but_skip_details' ? PREMORTEM_ROUNDS.slice(0, FAST_PREMORTEM_ROUNDS) : PREMORTEM_ROUNDS;
    const base = readSources(ctx, [
      PLAN_FILE,
      ['project_plan.md', 'Project plan'],
      ['consolidate_assumptions_short.md', 'Assumptions (short)'],
      ['review_plan.md', 'Review of the plan'],
      ['questions_and_answers.md', 'Questions and answers'],
    ]);
    const rounds: Array<{ angle: string; answer: Round }> = [];
    for (const [n, angle] of angles.entries()) {
      ctx.signal.throwIfAborted();
      const found = rounds.flatMap((r) => r.answer.failure_modes.map((f) => f.title)).join('\n') || '(none yet)';
      const sources = [...base, { title: 'Failures found in earlier rounds', text: found }];
      const answer = await ctx.llmJson(PremortemRoundSchema, planMessages(SYSTEM, sources, `Round ${n + 1}. Angle: ${angle}`), { schemaName: 'Premortem' });
      rounds.push({ angle, answer });
    }
    return { 'premortem_raw.json': prettyJson({ rounds }), 'premortem.md': premortemMarkdown(mdSafe(rounds)) };
  },
};
