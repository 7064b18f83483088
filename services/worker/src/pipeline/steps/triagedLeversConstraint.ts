/** Step 19: checks the triaged levers against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const triagedLeversConstraintStep = constraintCheckStep({
  name: 'TriagedLeversConstraint',
  subjectStep: 'TriageLevers',
  subjectFile: 'triaged_levers_raw.json',
  subjectTitle: 'Triaged levers',
  output: 'triaged_levers_constraint.json',
});
