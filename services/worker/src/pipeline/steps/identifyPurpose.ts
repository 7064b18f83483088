/** Step 7: business, personal or other — it sets the tone of every later step. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin } from '../markdownText.ts';

export const PurposeSchema = z.object({
  topic: z.string().describe('What the plan is about, in a few words'),
  purpose: z.enum(['business', 'personal', 'other']),
  purpose_detailed: z.string().describe('The purpose in one sentence, e.g. "Business: open a coffee shop"'),
  reasoning: z.string(),
});

const SYSTEM = `You classify planning requests so later steps can pick the right tone and depth.
Your reader is the planner of every later step. You get the plan prompt as the user wrote it.

"business" = commercial, organisational or public-sector work with stakeholders, budgets and accountability.
"personal" = an individual's own life, health, learning, home or hobby.
"other" = research, community or creative projects that fit neither.
Decide from the goal, not from the vocabulary: a personal project can mention money, a business one can be small.`;

export const identifyPurposeStep = singleCallStep({
  name: 'IdentifyPurpose',
  deps: ['Setup'],
  rawFile: 'identify_purpose_raw.json',
  mdFile: 'identify_purpose.md',
  inputs: [PLAN_FILE],
  system: SYSTEM,
  request: 'Identify the purpose of this plan.',
  schema: PurposeSchema,
  render: (v) =>
    mdJoin([`**Topic:** ${v.topic}`, `**Purpose:** ${humanLabel(v.purpose)}`, `**Detailed:** ${v.purpose_detailed}`, v.reasoning]),
});
