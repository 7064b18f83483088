/**
 * The plan pipeline graph (spec/pipeline.md §2): every step from Setup to the completion marker, with the key
 * dependencies of §2. Steps are listed in the spec's order, which is a valid topological order; branches without
 * edges between them (prompt checks, levers/scenarios and their constraint checks, governance, team, SWOT and
 * experts, documents, WBS, pitch, review and premortem chains) are run in parallel by the executor.
 */
import type { StepDef } from '../engine/stepTypes.ts';
import { setupStep } from './steps/setup.ts';
import { screenPlanningPromptStep } from './steps/screenPlanningPrompt.ts';
import { extractConstraintsStep } from './steps/extractConstraints.ts';
import { redlineGateStep } from './steps/redlineGate.ts';
import { premiseAttackStep } from './steps/premiseAttack.ts';
import { identifyPurposeStep } from './steps/identifyPurpose.ts';
import { classifyDomainStep } from './steps/classifyDomain.ts';
import { planTypeStep } from './steps/planType.ts';
import { potentialLeversStep } from './steps/potentialLevers.ts';
import { triageLeversStep } from './steps/triageLevers.ts';
import { enrichLeversStep } from './steps/enrichLevers.ts';
import { focusOnVitalFewLeversStep } from './steps/focusOnVitalFewLevers.ts';
import { strategicDecisionsMarkdownStep } from './steps/strategicDecisionsMarkdown.ts';
import { candidateScenariosStep } from './steps/candidateScenarios.ts';
import { selectScenarioStep } from './steps/selectScenario.ts';
import { scenariosMarkdownStep } from './steps/scenariosMarkdown.ts';
import { potentialLeversConstraintStep } from './steps/potentialLeversConstraint.ts';
import { triagedLeversConstraintStep } from './steps/triagedLeversConstraint.ts';
import { enrichedLeversConstraintStep } from './steps/enrichedLeversConstraint.ts';
import { vitalFewLeversConstraintStep } from './steps/vitalFewLeversConstraint.ts';
import { candidateScenariosConstraintStep } from './steps/candidateScenariosConstraint.ts';
import { selectedScenarioConstraintStep } from './steps/selectedScenarioConstraint.ts';
import { physicalLocationsStep } from './steps/physicalLocations.ts';
import { currencyStrategyStep } from './steps/currencyStrategy.ts';
import { identifyRisksStep } from './steps/identifyRisks.ts';
import { makeAssumptionsStep } from './steps/makeAssumptions.ts';
import { distillAssumptionsStep } from './steps/distillAssumptions.ts';
import { reviewAssumptionsStep } from './steps/reviewAssumptions.ts';
import { consolidateAssumptionsMarkdownStep } from './steps/consolidateAssumptionsMarkdown.ts';
import { preProjectAssessmentStep } from './steps/preProjectAssessment.ts';
import { projectPlanStep } from './steps/projectPlan.ts';
import { governancePhase1AuditStep } from './steps/governancePhase1Audit.ts';
import { governancePhase2BodiesStep } from './steps/governancePhase2Bodies.ts';
import { governancePhase3ImplPlanStep } from './steps/governancePhase3ImplPlan.ts';
import { governancePhase4DecisionEscalationMatrixStep } from './steps/governancePhase4DecisionEscalationMatrix.ts';
import { governancePhase5MonitoringProgressStep } from './steps/governancePhase5MonitoringProgress.ts';
import { governancePhase6ExtraStep } from './steps/governancePhase6Extra.ts';
import { consolidateGovernanceStep } from './steps/consolidateGovernance.ts';
import { relatedResourcesStep } from './steps/relatedResources.ts';
import { findTeamMembersStep } from './steps/findTeamMembers.ts';
import { enrichTeamMembersWithContractTypeStep } from './steps/enrichTeamMembersWithContractType.ts';
import { enrichTeamMembersWithBackgroundStoryStep } from './steps/enrichTeamMembersWithBackgroundStory.ts';
import { enrichTeamMembersWithEnvironmentInfoStep } from './steps/enrichTeamMembersWithEnvironmentInfo.ts';
import { reviewTeamStep } from './steps/reviewTeam.ts';
import { teamMarkdownStep } from './steps/teamMarkdown.ts';
import { swotAnalysisStep } from './steps/swotAnalysis.ts';
import { expertReviewStep } from './steps/expertReview.ts';
import { dataCollectionStep } from './steps/dataCollection.ts';
import { identifyDocumentsStep } from './steps/identifyDocuments.ts';
import { filterDocumentsToFindStep } from './steps/filterDocumentsToFind.ts';
import { filterDocumentsToCreateStep } from './steps/filterDocumentsToCreate.ts';
import { draftDocumentsToFindStep } from './steps/draftDocumentsToFind.ts';
import { draftDocumentsToCreateStep } from './steps/draftDocumentsToCreate.ts';
import { markdownWithDocumentsToCreateAndFindStep } from './steps/markdownWithDocumentsToCreateAndFind.ts';
import { createWBSLevel1Step } from './steps/createWBSLevel1.ts';
import { createWBSLevel2Step } from './steps/createWBSLevel2.ts';
import { wbsProjectLevel1AndLevel2Step } from './steps/wbsProjectLevel1AndLevel2.ts';
import { createPitchStep } from './steps/createPitch.ts';
import { convertPitchToMarkdownStep } from './steps/convertPitchToMarkdown.ts';
import { identifyTaskDependenciesStep } from './steps/identifyTaskDependencies.ts';
import { estimateTaskDurationsStep } from './steps/estimateTaskDurations.ts';
import { createWBSLevel3Step } from './steps/createWBSLevel3.ts';
import { wbsProjectLevel1AndLevel2AndLevel3Step } from './steps/wbsProjectLevel1AndLevel2AndLevel3.ts';
import { reviewPlanStep } from './steps/reviewPlan.ts';
import { executiveSummaryStep } from './steps/executiveSummary.ts';
import { createScheduleStep } from './steps/createSchedule.ts';
import { questionsAndAnswersStep } from './steps/questionsAndAnswers.ts';
import { premortemStep } from './steps/premortem.ts';
import { selfAuditStep } from './steps/selfAudit.ts';
import { promptAdherenceStep } from './steps/promptAdherence.ts';
import { reportStep } from './steps/report.ts';
import { fullPlanPipelineStep } from './steps/fullPlanPipeline.ts';

/** Files written before the graph runs (spec §1); part of the expected files. */
export const INPUT_FILES = ['plan_raw.json', 'start_time.json'] as const;

/** Steps 2–71 in the spec's order. */
const BODY: StepDef[] = [
  setupStep, // 2
  screenPlanningPromptStep, // 3
  extractConstraintsStep, // 4
  redlineGateStep, // 5
  premiseAttackStep, // 6
  identifyPurposeStep, // 7
  classifyDomainStep, // 8
  planTypeStep, // 9
  potentialLeversStep, // 10
  triageLeversStep, // 11
  enrichLeversStep, // 12
  focusOnVitalFewLeversStep, // 13
  strategicDecisionsMarkdownStep, // 14
  candidateScenariosStep, // 15
  selectScenarioStep, // 16
  scenariosMarkdownStep, // 17
  potentialLeversConstraintStep, // 18
  triagedLeversConstraintStep, // 19
  enrichedLeversConstraintStep, // 20
  vitalFewLeversConstraintStep, // 21
  candidateScenariosConstraintStep, // 22
  selectedScenarioConstraintStep, // 23
  physicalLocationsStep, // 24
  currencyStrategyStep, // 25
  identifyRisksStep, // 26
  makeAssumptionsStep, // 27
  distillAssumptionsStep, // 28
  reviewAssumptionsStep, // 29
  consolidateAssumptionsMarkdownStep, // 30
  preProjectAssessmentStep, // 31
  projectPlanStep, // 32
  governancePhase1AuditStep, // 33
  governancePhase2BodiesStep, // 34
  governancePhase3ImplPlanStep, // 35
  governancePhase4DecisionEscalationMatrixStep, // 36
  governancePhase5MonitoringProgressStep, // 37
  governancePhase6ExtraStep, // 38
  consolidateGovernanceStep, // 39
  relatedResourcesStep, // 40
  findTeamMembersStep, // 41
  enrichTeamMembersWithContractTypeStep, // 42
  enrichTeamMembersWithBackgroundStoryStep, // 43
  enrichTeamMembersWithEnvironmentInfoStep, // 44
  reviewTeamStep, // 45
  teamMarkdownStep, // 46
  swotAnalysisStep, // 47
  expertReviewStep, // 48
  dataCollectionStep, // 49
  identifyDocumentsStep, // 50
  filterDocumentsToFindStep, // 51
  filterDocumentsToCreateStep, // 52
  draftDocumentsToFindStep, // 53
  draftDocumentsToCreateStep, // 54
  markdownWithDocumentsToCreateAndFindStep, // 55
  createWBSLevel1Step, // 56
  createWBSLevel2Step, // 57
  wbsProjectLevel1AndLevel2Step, // 58
  createPitchStep, // 59
  convertPitchToMarkdownStep, // 60
  identifyTaskDependenciesStep, // 61
  estimateTaskDurationsStep, // 62
  createWBSLevel3Step, // 63
  wbsProjectLevel1AndLevel2AndLevel3Step, // 64
  reviewPlanStep, // 65
  executiveSummaryStep, // 66
  createScheduleStep, // 67
  questionsAndAnswersStep, // 68
  premortemStep, // 69
  selfAuditStep, // 70
  promptAdherenceStep, // 71
];

/** Every step except the final marker: the body plus the Report (72), which depends on every step it renders. */
export const PIPELINE_BODY: StepDef[] = [...BODY, reportStep(BODY)];

/** The graph the worker runs; FullPlanPipeline (73) depends on every other step. */
export const PIPELINE_STEPS: StepDef[] = [...PIPELINE_BODY, fullPlanPipelineStep(PIPELINE_BODY)];

/** Expected files of progress (spec §5.1): the sorted union of declared outputs plus the input files. */
export function expectedFiles(steps: ReadonlyArray<StepDef>): string[] {
  const names = new Set<string>(INPUT_FILES);
  for (const s of steps) for (const o of s.outputs) names.add(o);
  return [...names].sort();
}

/**
 * Throws when the graph is unusable: duplicate step names, an output declared twice (or clashing with an input
 * file), a dependency on an unknown step, or a cycle.
 */
export function validateGraph(steps: ReadonlyArray<StepDef>): void {
  const byName = new Map<string, StepDef>();
  for (const s of steps) {
    if (byName.has(s.name)) throw new Error(`duplicate step name ${s.name}`);
    byName.set(s.name, s);
  }
  const owner = new Map<string, string>(INPUT_FILES.map((f) => [f, '(input)']));
  for (const s of steps) {
    if (!s.outputs.length) throw new Error(`step ${s.name} declares no outputs`);
    for (const o of s.outputs) {
      const prev = owner.get(o);
      if (prev) throw new Error(`output ${o} is declared by both ${prev} and ${s.name}`);
      owner.set(o, s.name);
    }
    for (const d of s.deps) if (!byName.has(d)) throw new Error(`step ${s.name} depends on unknown step ${d}`);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: StepDef, path: string[]) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') throw new Error(`dependency cycle: ${[...path, s.name].join(' -> ')}`);
    state.set(s.name, 'visiting');
    for (const d of s.deps) visit(byName.get(d) as StepDef, [...path, s.name]);
    state.set(s.name, 'done');
  };
  for (const s of steps) visit(s, []);
}

/** Whether `steps` is listed so that every step comes after all of its dependencies. */
export function isTopologicalOrder(steps: ReadonlyArray<StepDef>): boolean {
  const seen = new Set<string>();
  for (const s of steps) {
    if (!s.deps.every((d) => seen.has(d))) return false;
    seen.add(s.name);
  }
  return true;
}
