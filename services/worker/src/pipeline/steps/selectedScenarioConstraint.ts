/** Step 23: checks the selected scenario against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const selectedScenarioConstraintStep = constraintCheckStep({
  name: 'SelectedScenarioConstraint',
  subjectStep: 'SelectScenario',
  subjectFile: 'selected_scenario.json',
  subjectTitle: 'Selected scenario',
  output: 'selected_scenario_constraint.json',
});
