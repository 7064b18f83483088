/** Step 9: digital-only or physical — decides whether locations, logistics and sites matter. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin } from '../markdownText.ts';

export const PlanTypeSchema = z.object({
  plan_type: z.enum(['digital', 'physical']),
  explanation: z.string(),
});

const SYSTEM = `You decide whether a plan can be carried out entirely digitally or needs physical presence.
Your reader is the planner deciding whether sites, logistics and travel need planning. You get the plan prompt and
its purpose.

"digital" only when every part of the work can be done on a computer by people working remotely: software, writing,
online research, online marketing. "physical" as soon as anything needs a place, goods, travel, equipment, in-person
meetings or physical testing — even if most of the work is digital. When in doubt, choose "physical": planning
for a site that is not needed costs little, forgetting one costs a lot.`;

export const planTypeStep = singleCallStep({
  name: 'PlanType',
  deps: ['Setup', 'IdentifyPurpose'],
  rawFile: 'plan_type_raw.json',
  mdFile: 'plan_type.md',
  inputs: [PLAN_FILE, ['identify_purpose.md', 'Purpose']],
  system: SYSTEM,
  request: 'Is this plan digital or physical?',
  schema: PlanTypeSchema,
  render: (v) => mdJoin([`**Plan type:** ${humanLabel(v.plan_type)}`, v.explanation]),
});
