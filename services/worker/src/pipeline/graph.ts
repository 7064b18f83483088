/**
 * The plan pipeline graph (spec/pipeline.md §2). This is the spine: the steps every later step builds on, from
 * Setup to the report. Steps are listed in a valid topological order; independent branches (prompt checks, team,
 * SWOT, WBS, dependencies/durations) have no edges between them, so the executor runs them in parallel.
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
import { physicalLocationsStep } from './steps/physicalLocations.ts';
import { currencyStrategyStep } from './steps/currencyStrategy.ts';
import { identifyRisksStep } from './steps/identifyRisks.ts';
import { makeAssumptionsStep } from './steps/makeAssumptions.ts';
import { distillAssumptionsStep } from './steps/distillAssumptions.ts';
import { reviewAssumptionsStep } from './steps/reviewAssumptions.ts';
import { consolidateAssumptionsMarkdownStep } from './steps/consolidateAssumptionsMarkdown.ts';
import { preProjectAssessmentStep } from './steps/preProjectAssessment.ts';
import { projectPlanStep } from './steps/projectPlan.ts';
import { findTeamMembersStep } from './steps/findTeamMembers.ts';
import { enrichTeamMembersWithContractTypeStep } from './steps/enrichTeamMembersWithContractType.ts';
import { enrichTeamMembersWithBackgroundStoryStep } from './steps/enrichTeamMembersWithBackgroundStory.ts';
import { enrichTeamMembersWithEnvironmentInfoStep } from './steps/enrichTeamMembersWithEnvironmentInfo.ts';
import { reviewTeamStep } from './steps/reviewTeam.ts';
import { teamMarkdownStep } from './steps/teamMarkdown.ts';
import { swotAnalysisStep } from './steps/swotAnalysis.ts';
import { createWBSLevel1Step } from './steps/createWBSLevel1.ts';
import { createWBSLevel2Step } from './steps/createWBSLevel2.ts';
import { wbsProjectLevel1AndLevel2Step } from './steps/wbsProjectLevel1AndLevel2.ts';
import { identifyTaskDependenciesStep } from './steps/identifyTaskDependencies.ts';
import { estimateTaskDurationsStep } from './steps/estimateTaskDurations.ts';
import { createWBSLevel3Step } from './steps/createWBSLevel3.ts';
import { wbsProjectLevel1AndLevel2AndLevel3Step } from './steps/wbsProjectLevel1AndLevel2AndLevel3.ts';
import { executiveSummaryStep } from './steps/executiveSummary.ts';
import { createScheduleStep } from './steps/createSchedule.ts';
import { reportStep } from './steps/report.ts';
import { fullPlanPipelineStep } from './steps/fullPlanPipeline.ts';

/** Files written before the graph runs (spec §1); part of the expected files. */
export const INPUT_FILES = ['plan_raw.json', 'start_time.json'] as const;

/** Every spine step except the final marker, in topological order. */
export const SPINE_BODY: StepDef[] = [
  setupStep, // 2
  screenPlanningPromptStep, // 3
  extractConstraintsStep, // 4
  redlineGateStep, // 5
  premiseAttackStep, // 6
  identifyPurposeStep, // 7
  classifyDomainStep, // 8
  planTypeStep, // 9
  physicalLocationsStep, // 24
  currencyStrategyStep, // 25
  identifyRisksStep, // 26
  makeAssumptionsStep, // 27
  distillAssumptionsStep, // 28
  reviewAssumptionsStep, // 29
  consolidateAssumptionsMarkdownStep, // 30
  preProjectAssessmentStep, // 31
  projectPlanStep, // 32
  findTeamMembersStep, // 41
  enrichTeamMembersWithContractTypeStep, // 42
  enrichTeamMembersWithBackgroundStoryStep, // 43
  enrichTeamMembersWithEnvironmentInfoStep, // 44
  reviewTeamStep, // 45
  teamMarkdownStep, // 46
  swotAnalysisStep, // 47
  createWBSLevel1Step, // 56
  createWBSLevel2Step, // 57
  wbsProjectLevel1AndLevel2Step, // 58
  identifyTaskDependenciesStep, // 61
  estimateTaskDurationsStep, // 62
  createWBSLevel3Step, // 63
  wbsProjectLevel1AndLevel2AndLevel3Step, // 64
  executiveSummaryStep, // 66
  createScheduleStep, // 67
  reportStep, // 72
];

/** The spine graph; FullPlanPipeline (73) depends on every other step. */
export const SPINE_STEPS: StepDef[] = [...SPINE_BODY, fullPlanPipelineStep(SPINE_BODY)];

/** The graph the worker runs. Today the spine; the remaining steps of §2 are added to it later. */
export const PIPELINE_STEPS: StepDef[] = SPINE_STEPS;

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
