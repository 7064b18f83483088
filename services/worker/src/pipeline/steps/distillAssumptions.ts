/** Step 28: the assumptions boiled down to a short list later prompts can carry. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdBullets, mdJoin } from '../markdownText.ts';

export const DistilledSchema = z.object({
  assumption_list: z.array(z.string()).min(1).describe('One self-contained sentence per assumption, with its numbers'),
});

const SYSTEM = `You edit planning notes for busy readers. The list you write is pasted into every later planning
prompt, so it must be short and exact.
You get the plan prompt, its purpose and the full table of assumptions.

Merge overlapping assumptions, drop ones that merely restate the prompt, and keep at most 10. Each item is one
sentence that makes sense on its own and keeps the numbers, units, places and dates of the original.`;

export const distillAssumptionsStep = singleCallStep({
  name: 'DistillAssumptions',
  deps: ['Setup', 'IdentifyPurpose', 'MakeAssumptions'],
  rawFile: 'distill_assumptions_raw.json',
  mdFile: 'distill_assumptions.md',
  inputs: [PLAN_FILE, ['identify_purpose.md', 'Purpose'], ['make_assumptions.md', 'Assumptions']],
  system: SYSTEM,
  request: 'Distill the assumptions into a short list.',
  schema: DistilledSchema,
  render: (v) => mdJoin([mdBullets(v.assumption_list)]),
});
