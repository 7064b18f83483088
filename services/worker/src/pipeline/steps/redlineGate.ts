/** Step 5: policy, legal and ethical red lines raised by the prompt. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const RedlineSchema = z.object({
  verdict: z.enum(['allow', 'allow_with_safeguards', 'refuse']),
  rationale: z.string().describe('Why this verdict, in two or three sentences'),
  concerns: z.array(
    z.object({
      category: z.string().describe('e.g. physical harm, illegal activity, privacy, discrimination, safety of minors'),
      description: z.string(),
      safeguard: z.string().describe('What the plan must do (or not do) to stay on the right side of the line'),
    }),
  ),
});

const SYSTEM = `You are the safety and compliance reviewer of a project-planning service. Your reader is the person
who will publish the plan and be accountable for it.
You get the plan prompt as the user wrote it.

Decide whether a plan for this prompt can be written: "allow" for ordinary projects, "allow_with_safeguards" when the
goal is legitimate but parts touch regulated, dangerous or sensitive ground, "refuse" only when the core goal is
to cause serious harm or break the law. Name each concern concretely and pair it with a safeguard the plan can
adopt. Do not moralise about ordinary business risk; that belongs to the risk analysis.`;

export const redlineGateStep = singleCallStep({
  name: 'RedlineGate',
  deps: ['Setup'],
  rawFile: 'redline_gate_raw.json',
  mdFile: 'redline_gate.md',
  inputs: [PLAN_FILE],
  system: SYSTEM,
  request: 'Review the plan prompt for red lines.',
  schema: RedlineSchema,
  render: (v) =>
    mdJoin([
      `**Verdict:** ${humanLabel(v.verdict)}`,
      v.rationale,
      mdSection('Concerns', mdTable(['Category', 'Concern', 'Safeguard'], v.concerns.map((c) => [c.category, c.description, c.safeguard]))),
    ]),
});
