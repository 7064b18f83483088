import { describe, it, expect } from 'vitest';
import { stepLabel, type StepDef } from '../src/engine/stepTypes.ts';
import { PIPELINE_STEPS, PIPELINE_BODY, expectedFiles, validateGraph, isTopologicalOrder } from '../src/pipeline/graph.ts';
import { REPORT_INPUT_FILES } from '../src/pipeline/report/reportSections.ts';
import { NON_LLM_STEPS, SPEC_DEPS, SPEC_STEPS } from './pipelineSpec.ts';

const byName = new Map(PIPELINE_STEPS.map((s) => [s.name, s]));
function ancestors(name: string, acc = new Set<string>()): Set<string> {
  for (const d of byName.get(name)?.deps ?? []) if (!acc.has(d)) ancestors(d, acc.add(d));
  return acc;
}
const independent = (a: string, b: string) => !ancestors(a).has(b) && !ancestors(b).has(a);

describe('pipeline graph', () => {
  it('is valid and listed in topological order', () => {
    expect(() => validateGraph(PIPELINE_STEPS)).not.toThrow();
    expect(isTopologicalOrder(PIPELINE_STEPS)).toBe(true);
    expect(PIPELINE_STEPS).toHaveLength(72); // spec §2 rows 2–73; rows 0 and 1 are the input files
  });

  it('has exactly the spec steps with their outputs, labels and llm flags', () => {
    expect(PIPELINE_STEPS.map((s) => s.name).sort()).toEqual(Object.keys(SPEC_STEPS).sort());
    for (const s of PIPELINE_STEPS) {
      const [label, outputs] = SPEC_STEPS[s.name];
      expect(stepLabel(s.name), s.name).toBe(label);
      expect([...s.outputs].sort(), s.name).toEqual([...outputs].sort());
      expect(s.llm, s.name).toBe(!NON_LLM_STEPS.has(s.name));
    }
  });

  it('labels follow the spec §5.3 examples', () => {
    expect(stepLabel('ReviewPlanTask')).toBe('Review Plan');
    expect(stepLabel('SWOTAnalysisTask')).toBe('SWOT Analysis');
    expect(stepLabel('CreateWBSLevel1Task')).toBe('Create WBS Level 1');
    expect(stepLabel('GovernancePhase1AuditTask')).toBe('Governance Phase 1 Audit');
    expect(stepLabel('ExecutiveSummary')).toBe('Executive Summary');
    expect(stepLabel('ReportTask')).toBe('Report');
  });

  it('expects the 125 files of spec §5.1: every output plus the two inputs, sorted', () => {
    const files = expectedFiles(PIPELINE_STEPS);
    const fromSpec = [...new Set(['plan_raw.json', 'start_time.json', ...Object.values(SPEC_STEPS).flatMap(([, o]) => o)])].sort();
    expect(files).toEqual(fromSpec);
    expect(files).toHaveLength(125);
    expect(files).toEqual([...files].sort());
    // templated extras are not expected
    expect(files.some((f) => /_\d+_raw\.json$|^experts/.test(f))).toBe(false);
  });

  it('has the key dependencies of spec §2', () => {
    for (const [step, deps] of Object.entries(SPEC_DEPS)) {
      for (const d of deps) expect(byName.get(step)?.deps, `${step} needs ${d}`).toContain(d);
    }
    // the assumption chain starts after the chosen scenario; the plan after the assessment
    expect(ancestors('PhysicalLocations').has('ScenariosMarkdown')).toBe(true);
    expect(ancestors('GovernancePhase1Audit').has('ProjectPlan')).toBe(true);
    expect(ancestors('FindTeamMembers').has('ProjectPlan')).toBe(true);
  });

  it('the report depends on every step it renders, the marker on every step', () => {
    const report = byName.get('Report') as StepDef;
    const writers = PIPELINE_STEPS.filter((s) => s.outputs.some((o) => REPORT_INPUT_FILES.includes(o))).map((s) => s.name);
    expect([...report.deps].sort()).toEqual([...writers].sort());
    for (const s of ['ExecutiveSummary', 'CreateSchedule', 'ConvertPitchToMarkdown', 'ScenariosMarkdown', 'ConsolidateGovernance', 'ExpertReview', 'MarkdownWithDocumentsToCreateAndFind', 'SelfAudit', 'PromptAdherence', 'PremiseAttack', 'CreateWBSLevel1']) {
      expect(report.deps, s).toContain(s);
    }
    expect(byName.get('FullPlanPipeline')?.deps).toEqual(PIPELINE_BODY.map((s) => s.name));
    expect(PIPELINE_BODY.at(-1)?.name).toBe('Report');
  });

  it('keeps independent branches parallel', () => {
    const pairs = [
      ['RedlineGate', 'PremiseAttack'],
      ['PotentialLeversConstraint', 'TriageLevers'],
      ['SelectedScenarioConstraint', 'PhysicalLocations'],
      ['GovernancePhase1Audit', 'FindTeamMembers'],
      ['GovernancePhase1Audit', 'RelatedResources'],
      ['ConsolidateGovernance', 'DataCollection'],
      ['SWOTAnalysis', 'FindTeamMembers'],
      ['IdentifyDocuments', 'CreateWBSLevel1'],
      ['MarkdownWithDocumentsToCreateAndFind', 'CreateWBSLevel3'],
      ['CreatePitch', 'EstimateTaskDurations'],
      ['IdentifyTaskDependencies', 'EstimateTaskDurations'],
      ['CreateSchedule', 'ReviewPlan'],
      ['ExecutiveSummary', 'QuestionsAndAnswers'],
      ['PromptAdherence', 'SelfAudit'],
    ];
    for (const [a, b] of pairs) expect(independent(a, b), `${a} / ${b}`).toBe(true);
  });

  it('validateGraph rejects duplicates, unknown deps, shared outputs and cycles', () => {
    const step = (name: string, deps: string[], outputs = [`${name}.md`]): StepDef => ({ name, deps, outputs, llm: false, run: async () => ({}) });
    expect(() => validateGraph([step('A', []), step('A', [], ['x.md'])])).toThrow(/duplicate step/);
    expect(() => validateGraph([step('A', ['B'])])).toThrow(/unknown step B/);
    expect(() => validateGraph([step('A', [], ['x.md']), step('B', [], ['x.md'])])).toThrow(/declared by both/);
    expect(() => validateGraph([step('A', [], ['plan_raw.json'])])).toThrow(/declared by both/);
    expect(() => validateGraph([step('A', ['C']), step('B', ['A']), step('C', ['B'])])).toThrow(/cycle/);
    expect(isTopologicalOrder([step('B', ['A']), step('A', [])])).toBe(false);
  });
});
