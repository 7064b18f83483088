/** Step 38: governance phase 6 — validation of the whole governance design and the tough questions it must answer. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { governanceDeps, governanceInputs } from '../governanceModel.ts';
import { humanLabel, mdBullets, mdJoin, mdSection, mdTable } from '../markdownText.ts';

export const GovernanceExtraSchema = z.object({
  validation_checks: z
    .array(
      z.object({
        check: z.string().describe('e.g. "Every escalation level is an existing body"'),
        result: z.enum(['passed', 'gap_found']),
        finding: z.string().describe('The gap and its fix, or why it passed'),
      }),
    )
    .min(1),
  tough_questions: z.array(z.string()).min(1).describe('Questions the sponsor should ask at every steering meeting'),
  summary: z.string(),
});

const SYSTEM = `You are an independent reviewer validating a project's governance design before the sponsor adopts
it. Your reader is the sponsor, who wants to know where the design is weak and what to keep asking.

You get the plan prompt, the strategic decisions and chosen scenario, the assumptions, the project plan and all five
earlier governance phases (audit controls, bodies, implementation steps, escalation matrix, monitoring). Check the
design for consistency and completeness: does every escalation level exist, does every body have members and
decision rights, is every major risk owned, do triggers have owners, are the ethics and compliance duties of this
project covered? Report each check as passed or gap found, with the fix. Then list five to eight tough questions the
sponsor should keep asking, and summarise the state of the governance in a short paragraph.`;

export const governancePhase6ExtraStep = singleCallStep({
  name: 'GovernancePhase6Extra',
  deps: governanceDeps(6),
  rawFile: 'governance_phase6_extra_raw.json',
  mdFile: 'governance_phase6_extra.md',
  inputs: governanceInputs(6),
  system: SYSTEM,
  request: 'Validate the governance design and list the tough questions.',
  schema: GovernanceExtraSchema,
  render: (v) =>
    mdJoin([
      mdSection('Validation checks', mdTable(['Check', 'Result', 'Finding'], v.validation_checks.map((c) => [c.check, humanLabel(c.result), c.finding])), 3),
      mdSection('Tough questions', mdBullets(v.tough_questions), 3),
      mdSection('Summary', v.summary, 3),
    ]),
});
