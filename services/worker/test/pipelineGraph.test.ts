import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { sampleFromSchema, seedOf } from '@planexe/testing';
import { stepLabel, type StepDef } from '../src/engine/stepTypes.ts';
import { SPINE_STEPS, PIPELINE_STEPS, expectedFiles, validateGraph, isTopologicalOrder } from '../src/pipeline/graph.ts';
import { runInMemory } from '../src/pipeline/memoryRun.ts';

/** spec/pipeline.md §2, restricted to the spine: step → [label, outputs]. */
const SPEC: Record<string, [string, string[]]> = {
  Setup: ['Setup', ['plan.txt']],
  ScreenPlanningPrompt: ['Screen Planning Prompt', ['screen_planning_prompt.json', 'screen_planning_prompt.md']],
  ExtractConstraints: ['Extract Constraints', ['extract_constraints_raw.json', 'extract_constraints.md']],
  RedlineGate: ['Redline Gate', ['redline_gate_raw.json', 'redline_gate.md']],
  PremiseAttack: ['Premise Attack', ['premise_attack_raw.json', 'premise_attack.md']],
  IdentifyPurpose: ['Identify Purpose', ['identify_purpose_raw.json', 'identify_purpose.md']],
  ClassifyDomain: ['Classify Domain', ['classify_domain_raw.json', 'classify_domain.md']],
  PlanType: ['Plan Type', ['plan_type_raw.json', 'plan_type.md']],
  PhysicalLocations: ['Physical Locations', ['physical_locations_raw.json', 'physical_locations.md']],
  CurrencyStrategy: ['Currency Strategy', ['currency_strategy_raw.json', 'currency_strategy.md']],
  IdentifyRisks: ['Identify Risks', ['identify_risks_raw.json', 'identify_risks.md']],
  MakeAssumptions: ['Make Assumptions', ['make_assumptions_raw.json', 'make_assumptions.json', 'make_assumptions.md']],
  DistillAssumptions: ['Distill Assumptions', ['distill_assumptions_raw.json', 'distill_assumptions.md']],
  ReviewAssumptions: ['Review Assumptions', ['review_assumptions_raw.json', 'review_assumptions.md']],
  ConsolidateAssumptionsMarkdown: ['Consolidate Assumptions Markdown', ['consolidate_assumptions_full.md', 'consolidate_assumptions_short.md']],
  PreProjectAssessment: ['Pre Project Assessment', ['pre_project_assessment_raw.json', 'pre_project_assessment.json']],
  ProjectPlan: ['Project Plan', ['project_plan_raw.json', 'project_plan.md']],
  FindTeamMembers: ['Find Team Members', ['find_team_members_raw.json', 'find_team_members.json']],
  EnrichTeamMembersWithContractType: ['Enrich Team Members With Contract Type', ['enrich_team_members_contract_type_raw.json', 'enrich_team_members_contract_type.json']],
  EnrichTeamMembersWithBackgroundStory: ['Enrich Team Members With Background Story', ['enrich_team_members_background_story_raw.json', 'enrich_team_members_background_story.json']],
  EnrichTeamMembersWithEnvironmentInfo: ['Enrich Team Members With Environment Info', ['enrich_team_members_environment_info_raw.json', 'enrich_team_members_environment_info.json']],
  ReviewTeam: ['Review Team', ['review_team_raw.json']],
  TeamMarkdown: ['Team Markdown', ['team.md']],
  SWOTAnalysis: ['SWOT Analysis', ['swot_analysis_raw.json', 'swot_analysis.md']],
  CreateWBSLevel1: ['Create WBS Level 1', ['wbs_level1_raw.json', 'wbs_level1.json', 'wbs_level1_project_title.json']],
  CreateWBSLevel2: ['Create WBS Level 2', ['wbs_level2_raw.json', 'wbs_level2.json']],
  WBSProjectLevel1AndLevel2: ['WBS Project Level 1 And Level 2', ['wbs_project_level1_and_level2.json']],
  IdentifyTaskDependencies: ['Identify Task Dependencies', ['task_dependencies_raw.json']],
  EstimateTaskDurations: ['Estimate Task Durations', ['task_durations.json']],
  CreateWBSLevel3: ['Create WBS Level 3', ['wbs_level3.json']],
  WBSProjectLevel1AndLevel2AndLevel3: ['WBS Project Level 1 And Level 2 And Level 3', ['wbs_project_level1_and_level2_and_level3.json', 'wbs_project_level1_and_level2_and_level3.csv']],
  ExecutiveSummary: ['Executive Summary', ['executive_summary_raw.json', 'executive_summary.md']],
  CreateSchedule: ['Create Schedule', ['schedule_gantt_dhtmlx.html', 'schedule_gantt_machai.csv']],
  Report: ['Report', ['report.html', 'report.md']],
  FullPlanPipeline: ['Full Plan Pipeline', ['pipeline_complete.txt']],
};

const LLM_STEPS = new Set(Object.keys(SPEC).filter((n) => !['Setup', 'TeamMarkdown', 'WBSProjectLevel1AndLevel2', 'WBSProjectLevel1AndLevel2AndLevel3', 'CreateSchedule', 'Report', 'FullPlanPipeline'].includes(n)));

const byName = new Map(SPINE_STEPS.map((s) => [s.name, s]));
function ancestors(name: string, acc = new Set<string>()): Set<string> {
  for (const d of byName.get(name)?.deps ?? []) if (!acc.has(d)) ancestors(d, acc.add(d));
  return acc;
}

const sampleAnswer = (schema: z.ZodType, messages: { content: string }[]) =>
  sampleFromSchema(z.toJSONSchema(schema) as Record<string, unknown>, { seed: seedOf(messages.map((m) => m.content).join('\n')) });

describe('pipeline spine graph', () => {
  it('is valid and listed in topological order', () => {
    expect(() => validateGraph(SPINE_STEPS)).not.toThrow();
    expect(isTopologicalOrder(SPINE_STEPS)).toBe(true);
    expect(PIPELINE_STEPS).toBe(SPINE_STEPS);
  });

  it('has exactly the spec steps with their outputs, labels and llm flags', () => {
    expect(SPINE_STEPS.map((s) => s.name).sort()).toEqual(Object.keys(SPEC).sort());
    for (const s of SPINE_STEPS) {
      const [label, outputs] = SPEC[s.name];
      expect(stepLabel(s.name), s.name).toBe(label);
      expect([...s.outputs].sort(), s.name).toEqual([...outputs].sort());
      expect(s.llm, s.name).toBe(LLM_STEPS.has(s.name));
    }
  });

  it('labels follow the spec §5.3 examples', () => {
    expect(stepLabel('SWOTAnalysis')).toBe('SWOT Analysis');
    expect(stepLabel('CreateWBSLevel1')).toBe('Create WBS Level 1');
    expect(stepLabel('ExecutiveSummary')).toBe('Executive Summary');
    expect(stepLabel('ReportTask')).toBe('Report');
  });

  it('expects 66 files: every output plus the two inputs, sorted', () => {
    const files = expectedFiles(SPINE_STEPS);
    const fromSpec = [...new Set(['plan_raw.json', 'start_time.json', ...Object.values(SPEC).flatMap(([, o]) => o)])].sort();
    expect(files).toEqual(fromSpec);
    expect(files).toHaveLength(66);
    expect(files).toEqual([...files].sort());
  });

  it('follows the key dependencies and keeps independent branches parallel', () => {
    expect(ancestors('SWOTAnalysis').has('ProjectPlan')).toBe(true);
    expect(ancestors('ProjectPlan').has('PreProjectAssessment')).toBe(true);
    for (const [step, deps] of Object.entries({
      CreateWBSLevel2: ['CreateWBSLevel1'],
      WBSProjectLevel1AndLevel2: ['CreateWBSLevel2'],
      IdentifyTaskDependencies: ['CreateWBSLevel2'],
      EstimateTaskDurations: ['WBSProjectLevel1AndLevel2'],
      CreateWBSLevel3: ['WBSProjectLevel1AndLevel2', 'EstimateTaskDurations'],
      WBSProjectLevel1AndLevel2AndLevel3: ['WBSProjectLevel1AndLevel2', 'CreateWBSLevel3'],
      CreateSchedule: ['CreateWBSLevel1', 'IdentifyTaskDependencies', 'EstimateTaskDurations', 'WBSProjectLevel1AndLevel2AndLevel3'],
      TeamMarkdown: ['ReviewTeam', 'EnrichTeamMembersWithEnvironmentInfo'],
      Report: ['ExecutiveSummary', 'CreateSchedule', 'SWOTAnalysis', 'TeamMarkdown'],
    })) {
      for (const d of deps) expect(byName.get(step)?.deps, step).toContain(d);
    }
    expect(byName.get('FullPlanPipeline')?.deps).toEqual(SPINE_STEPS.filter((s) => s.name !== 'FullPlanPipeline').map((s) => s.name));
    // independent branches: neither depends on the other
    for (const [a, b] of [['SWOTAnalysis', 'FindTeamMembers'], ['CreateWBSLevel1', 'TeamMarkdown'], ['IdentifyTaskDependencies', 'EstimateTaskDurations'], ['RedlineGate', 'PremiseAttack']]) {
      expect(ancestors(a).has(b) || ancestors(b).has(a), `${a} / ${b}`).toBe(false);
    }
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

describe('running the spine in memory', () => {
  it('every step returns its declared outputs; LLM JSON is pretty-printed', async () => {
    const run = await runInMemory(SPINE_STEPS, { prompt: 'Open a small coffee shop in Copenhagen.', answer: sampleAnswer });
    for (const s of SPINE_STEPS) {
      expect(run.returned.get(s.name), s.name).toEqual(expect.arrayContaining(s.outputs));
      expect(run.calls.some((c) => c.step === s.name), s.name).toBe(s.llm);
    }
    for (const f of expectedFiles(SPINE_STEPS)) expect(run.files.has(f), f).toBe(true);
    expect(run.files.get('plan.txt')).toMatch(/^Plan:\nOpen a small coffee shop in Copenhagen\.\n\nToday's date:\n2026-Mar-09\n\nProject start ASAP$/);
    expect(run.files.get('pipeline_complete.txt')).toBe('Full pipeline executed successfully.\n');
    const raw = run.files.get('identify_purpose_raw.json') as string;
    expect(raw).toBe(JSON.stringify(JSON.parse(raw), null, 2) + '\n');
    expect(JSON.parse(run.files.get('wbs_level1_project_title.json') as string)).toEqual(expect.any(String));
    expect(run.files.get('wbs_project_level1_and_level2_and_level3.csv')).toMatch(/^id,level,parent_id,title,description\r\n1,1,,/);
    const gantt = run.files.get('schedule_gantt_dhtmlx.html') as string;
    expect(gantt).toContain('<svg');
    expect(gantt).not.toMatch(/<script|https?:\/\//i);
    expect(run.files.get('schedule_gantt_machai.csv')).toMatch(/^id,parent_id,level,title,start_date,end_date,duration_days,depends_on,estimated\r\n1\.1,1,2,/);
    // every level-2 task decomposed and estimated in the detailed mode
    const level2 = JSON.parse(run.files.get('wbs_level2.json') as string) as unknown[];
    expect(JSON.parse(run.files.get('wbs_level3.json') as string)).toHaveLength(level2.length);
    expect([...run.files.keys()].filter((f) => /^wbs_level3_\d+_raw\.json$/.test(f))).toHaveLength(level2.length);
    expect(run.files.has('task_durations_1_raw.json')).toBe(true);
  });

  it('fast mode writes the same file set with less detail inside', async () => {
    // eight level-2 tasks: three duration chunks of up to 3 tasks; fast mode estimates two of them
    const wide = (schema: z.ZodType, messages: { content: string }[]) =>
      sampleFromSchema(z.toJSONSchema(schema) as Record<string, unknown>, { seed: seedOf(messages.map((m) => m.content).join('\n')), defaultArrayItems: 8 });
    const slow = await runInMemory(SPINE_STEPS, { prompt: 'Build a community garden.', answer: wide });
    const fast = await runInMemory(SPINE_STEPS, { prompt: 'Build a community garden.', answer: wide, speed: 'fast_but_skip_details' });
    const declared = (files: Map<string, string>) => [...files.keys()].filter((f) => expectedFiles(SPINE_STEPS).includes(f)).sort();
    expect(declared(fast.files)).toEqual(declared(slow.files));
    expect(declared(fast.files)).toEqual(expectedFiles(SPINE_STEPS));
    const count = (files: Map<string, string>, re: RegExp) => [...files.keys()].filter((f) => re.test(f)).length;
    expect(count(slow.files, /^wbs_level3_\d+_raw\.json$/)).toBe(8);
    expect(count(fast.files, /^wbs_level3_\d+_raw\.json$/)).toBe(2);
    expect(count(slow.files, /^task_durations_\d+_raw\.json$/)).toBe(3);
    expect(count(fast.files, /^task_durations_\d+_raw\.json$/)).toBe(2);
    expect(JSON.parse(fast.files.get('task_durations.json') as string)).toHaveLength(6);
    const contract = fast.files.get('enrich_team_members_contract_type.json');
    expect(fast.files.get('enrich_team_members_background_story_raw.json')).toBe(contract);
    expect(fast.files.get('enrich_team_members_background_story.json')).toBe(contract);
    expect(fast.calls.some((c) => c.step === 'EnrichTeamMembersWithBackgroundStory')).toBe(false);
    expect(slow.calls.some((c) => c.step === 'EnrichTeamMembersWithBackgroundStory')).toBe(true);
  });
});
