/** Step 20: checks the enriched levers against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const enrichedLeversConstraintStep = constraintCheckStep({
  name: 'EnrichedLeversConstraint',
  subjectStep: 'EnrichLevers',
  subjectFile: 'enriched_levers_raw.json',
  subjectTitle: 'Enriched levers',
  output: 'enriched_levers_constraint.json',
});
