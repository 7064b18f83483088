/** Step 4: the hard requirements and exclusions stated in the prompt, for later constraint checks. */
import { z } from 'zod';
import { singleCallStep } from '../llmStep.ts';
import { PLAN_FILE } from '../promptMessages.ts';
import { mdJoin, mdSection, mdTable } from '../markdownText.ts';

const Constraint = z.object({
  constraint: z.string().describe('The constraint, stated as a checkable rule'),
  evidence: z.string().describe('The words of the prompt it comes from'),
});

export const ConstraintsSchema = z.object({
  positive_constraints: z.array(Constraint).describe('Things the plan must include or respect'),
  negative_constraints: z.array(Constraint).describe('Things the plan must avoid or exclude'),
  summary: z.string(),
});

const SYSTEM = `You are a requirements analyst. Later planning steps will check their proposals against your list, so
precision matters more than coverage.
You get the plan prompt as the user wrote it.

Extract only constraints the user actually stated or clearly implied in the plan prompt: budget ceilings, deadlines,
places, sizes, technologies, people, legal or ethical limits, things explicitly ruled out. Do not invent
constraints from general good practice. Phrase each one so a reviewer can answer "met / not met", and quote the
words of the prompt it comes from.`;

export const extractConstraintsStep = singleCallStep({
  name: 'ExtractConstraints',
  deps: ['Setup'],
  rawFile: 'extract_constraints_raw.json',
  mdFile: 'extract_constraints.md',
  inputs: [PLAN_FILE],
  system: SYSTEM,
  request: 'List the positive and negative constraints of this plan prompt.',
  schema: ConstraintsSchema,
  render: (v) =>
    mdJoin([
      v.summary,
      mdSection('Must include', mdTable(['Constraint', 'Evidence'], v.positive_constraints.map((c) => [c.constraint, c.evidence]))),
      mdSection('Must avoid', mdTable(['Constraint', 'Evidence'], v.negative_constraints.map((c) => [c.constraint, c.evidence]))),
    ]),
});
