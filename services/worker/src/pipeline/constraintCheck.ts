/**
 * Steps 18–23 share one check: does an intermediate result (levers, scenarios) respect the constraints the user
 * stated (step 4)? Each step file names its subject; the prompt, schema and output format live here.
 */
import { z } from 'zod';
import type { StepDef } from '../engine/stepTypes.ts';
import { PLAN_FILE, planMessages, readSources } from './promptMessages.ts';
import { prettyJson } from './markdownText.ts';

export const ConstraintCheckSchema = z.object({
  checks: z.array(
    z.object({
      constraint: z.string().describe('The stated constraint, as listed'),
      status: z.enum(['met', 'partially_met', 'violated', 'not_applicable']),
      explanation: z.string().describe('Which part of the material meets or breaks it, and how'),
    }),
  ),
  overall: z.enum(['ok', 'needs_attention', 'violated']),
  summary: z.string().describe('What must change, if anything, in one or two sentences'),
});

const SYSTEM = `You are a requirements reviewer guarding the user's stated constraints while the plan is still being
shaped. Your reader is the planner who produced the material under review and must fix any breach before the plan
builds on it.

You get the plan prompt, the list of constraints extracted from it (must include / must avoid) and one piece of
intermediate planning material. Check every listed constraint against that material: "met" when the material
respects it, "partially_met" when some part drifts, "violated" when an option or choice breaks it, and
"not_applicable" when the material does not touch it. Quote or name the offending part in the explanation. Do not
invent constraints that are not on the list. The overall verdict is "violated" if any constraint is violated.`;

export interface ConstraintCheckDef {
  name: string;
  /** The step whose output is checked. */
  subjectStep: string;
  subjectFile: string;
  /** What the material is, as the model is told. */
  subjectTitle: string;
  output: string;
}

export function constraintCheckStep(def: ConstraintCheckDef): StepDef {
  return {
    name: def.name,
    deps: ['Setup', 'ExtractConstraints', def.subjectStep],
    llm: true,
    outputs: [def.output],
    async run(ctx) {
      const sources = readSources(ctx, [PLAN_FILE, ['extract_constraints.md', 'Stated constraints'], [def.subjectFile, def.subjectTitle]]);
      const v = await ctx.llmJson(ConstraintCheckSchema, planMessages(SYSTEM, sources, `Check the ${def.subjectTitle.toLowerCase()} against every stated constraint.`), {
        schemaName: def.name,
      });
      return { [def.output]: prettyJson({ subject: def.subjectFile, ...v }) };
    },
  };
}
