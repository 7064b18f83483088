/** Step 21: checks the vital few levers against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const vitalFewLeversConstraintStep = constraintCheckStep({
  name: 'VitalFewLeversConstraint',
  subjectStep: 'FocusOnVitalFewLevers',
  subjectFile: 'vital_few_levers_raw.json',
  subjectTitle: 'Vital few levers',
  output: 'vital_few_levers_constraint.json',
});
