/** Step 18: checks the potential levers against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const potentialLeversConstraintStep = constraintCheckStep({
  name: 'PotentialLeversConstraint',
  subjectStep: 'PotentialLevers',
  subjectFile: 'potential_levers.json',
  subjectTitle: 'Potential levers',
  output: 'potential_levers_constraint.json',
});
