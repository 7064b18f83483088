/** Step 6: attacks the premise of the prompt through five adversarial lenses. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { humanLabel, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const PremiseAttackSchema = z.object({
  lenses: z
    .array(
      z.object({
        lens: z.string().describe('Name of the lens'),
        attack: z.string().describe('The strongest argument that the premise is wrong, seen through this lens'),
        severity: z.enum(['low', 'medium', 'high']),
        what_would_change_my_mind: z.string(),
      }),
    )
    .min(1),
  verdict: z.string().describe('Does the premise survive? One short paragraph'),
});

const SYSTEM = `You are a sceptical investor reviewing an idea before anyone spends money planning it. Your reader is
the project sponsor, who wants the uncomfortable questions now rather than after launch.
You get the plan prompt as the user wrote it.

Attack the premise of the plan prompt through exactly these five lenses, in this order:
1. Demand: does anyone need this badly enough to pay or change behaviour?
2. Feasibility: can it be built or done with realistic means and time?
3. Economics: can it pay for itself, or is the funding plausible?
4. Second-order effects: who is harmed, what backlash or regulation follows?
5. Better alternatives: is there a simpler or cheaper way to reach the same goal?
For each lens give the strongest honest argument, a severity, and the evidence that would refute it. Be specific to
this prompt; generic warnings are worthless.`;

export const premiseAttackStep = singleCallStep({
  name: 'PremiseAttack',
  deps: ['Setup'],
  rawFile: 'premise_attack_raw.json',
  mdFile: 'premise_attack.md',
  inputs: [PLAN_FILE],
  system: SYSTEM,
  request: 'Attack the premise of this plan prompt through the five lenses.',
  schema: PremiseAttackSchema,
  render: (v) =>
    mdJoin([
      mdTable(['Lens', 'Attack', 'Severity', 'What would change my mind'], v.lenses.map((l) => [l.lens, l.attack, humanLabel(l.severity), l.what_would_change_my_mind])),
      mdSection('Verdict', v.verdict),
    ]),
});
