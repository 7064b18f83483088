/** Step 22: checks the candidate scenarios against the constraints the user stated. */
import { constraintCheckStep } from '../constraintCheck.ts';

export const candidateScenariosConstraintStep = constraintCheckStep({
  name: 'CandidateScenariosConstraint',
  subjectStep: 'CandidateScenarios',
  subjectFile: 'candidate_scenarios.json',
  subjectTitle: 'Candidate scenarios',
  output: 'candidate_scenarios_constraint.json',
});
