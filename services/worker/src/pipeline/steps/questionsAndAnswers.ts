/** Step 68: questions a newcomer to the plan would ask, answered from the plan itself. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdJoin, mdSection } from '../markdownText.ts';

export const QuestionsAndAnswersSchema = z.object({
  questions: z
    .array(
      z.object({
        question: z.string(),
        answer: z.string().describe('Two to five sentences, grounded in the plan'),
        why_it_matters: z.string().describe('One sentence'),
      }),
    )
    .min(1),
});

const SYSTEM = `You prepare the Q&A page of a project plan for readers who were not involved in writing it: a board
member, a funder's analyst, a new team member. They are intelligent but not experts in this domain.

You get the plan prompt, the project plan, the assumptions, the review of the plan and the work breakdown. Write
eight to twelve questions such a reader would ask — about the goal, the money, the timeline, the biggest risks, the
jargon and the choices that look surprising — and answer each from the plan in plain language, explaining any
technical term. Say why each question matters. Where the plan has no answer, say so plainly rather than invent one.`;

export const questionsAndAnswersStep = singleCallStep({
  name: 'QuestionsAndAnswers',
  deps: ['Setup', 'ConsolidateAssumptionsMarkdown', 'ProjectPlan', 'WBSProjectLevel1AndLevel2AndLevel3', 'ReviewPlan'],
  rawFile: 'questions_and_answers_raw.json',
  mdFile: 'questions_and_answers.md',
  inputs: [
    PLAN_FILE,
    ['project_plan.md', 'Project plan'],
    ['consolidate_assumptions_short.md', 'Assumptions (short)'],
    ['review_plan.md', 'Review of the plan'],
    ['wbs_project_level1_and_level2_and_level3.csv', 'Work breakdown structure (CSV)'],
  ],
  system: SYSTEM,
  request: 'Write the questions and answers.',
  schema: QuestionsAndAnswersSchema,
  render: (v) => mdJoin(v.questions.map((q, i) => mdSection(`${i + 1}. ${q.question}`, mdJoin([q.answer, `_Why it matters:_ ${q.why_it_matters}`]), 3))),
});
