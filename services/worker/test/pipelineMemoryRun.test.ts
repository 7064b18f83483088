import { describe, it, expect, beforeAll } from 'vitest';
import { z } from 'zod';
import { sampleFromSchema, seedOf } from '@planexe/testing';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { runInMemory, type MemoryRun } from '../src/pipeline/memoryRun.ts';
import { REVIEW_THEMES } from '../src/pipeline/steps/reviewPlan.ts';
import { SELF_AUDIT_CHECKLIST } from '../src/pipeline/steps/selfAudit.ts';

const sampler = (items?: number) => (schema: z.ZodType, messages: { content: string }[]) =>
  sampleFromSchema(z.toJSONSchema(schema) as Record<string, unknown>, { seed: seedOf(messages.map((m) => m.content).join('\n')), defaultArrayItems: items });

const EXPECTED = expectedFiles(PIPELINE_STEPS);
const count = (run: MemoryRun, re: RegExp) => [...run.files.keys()].filter((f) => re.test(f)).length;
const json = <T = any>(run: MemoryRun, f: string): T => JSON.parse(run.files.get(f) as string) as T;
const declared = (run: MemoryRun) => [...run.files.keys()].filter((f) => EXPECTED.includes(f)).sort();

describe('running the whole pipeline in memory', () => {
  it('every step returns its declared outputs and the spec §3 extras; LLM JSON is pretty-printed', async () => {
    const run = await runInMemory(PIPELINE_STEPS, { prompt: 'Open a small coffee shop in Copenhagen.', answer: sampler() });
    for (const s of PIPELINE_STEPS) {
      expect(run.returned.get(s.name), s.name).toEqual(expect.arrayContaining(s.outputs));
      expect(run.calls.some((c) => c.step === s.name), s.name).toBe(s.llm);
    }
    expect(declared(run)).toEqual(EXPECTED);
    expect(run.files.get('plan.txt')).toMatch(/^Plan:\nOpen a small coffee shop in Copenhagen\.\n\nToday's date:\n2026-Mar-09\n\nProject start ASAP$/);
    expect(run.files.get('pipeline_complete.txt')).toBe('Full pipeline executed successfully.\n');
    for (const f of ['identify_purpose_raw.json', 'potential_levers_raw.json', 'governance_phase2_bodies_raw.json', 'premortem_raw.json']) {
      const raw = run.files.get(f) as string;
      expect(raw, f).toBe(JSON.stringify(JSON.parse(raw), null, 2) + '\n');
    }
    // spec §3 extras
    expect(run.returned.get('ExpertReview')).toEqual(expect.arrayContaining(['experts_raw.json', 'experts.json', 'expert_criticism_1_raw.json', 'expert_criticism_2_raw.json']));
    expect(json<unknown[]>(run, 'experts.json')).toHaveLength(2);
    expect(count(run, /^draft_documents_to_find_\d+_raw\.json$/)).toBe(json<unknown[]>(run, 'filter_documents_to_find_clean.json').length);
    expect(count(run, /^draft_documents_to_create_\d+_raw\.json$/)).toBe(json<unknown[]>(run, 'filter_documents_to_create_clean.json').length);
    expect(count(run, /^wbs_level3_\d+_raw\.json$/)).toBe(json<unknown[]>(run, 'wbs_level2.json').length);
    expect(run.files.has('task_durations_1_raw.json')).toBe(true);
    // levers and scenarios hang together
    const vital = json<{ levers: Array<{ lever_id: string }> }>(run, 'vital_few_levers_raw.json').levers;
    expect(vital.length).toBeGreaterThan(0);
    expect(vital.length).toBeLessThanOrEqual(5);
    const candidates = json<Array<{ scenario_id: string }>>(run, 'candidate_scenarios.json');
    expect(candidates.map((c) => c.scenario_id)).toContain(json(run, 'selected_scenario.json').scenario.scenario_id);
    expect(json(run, 'selected_scenario_constraint.json')).toMatchObject({ subject: 'selected_scenario.json', overall: expect.any(String) });
    // every review theme, premortem round and checklist item in the detailed mode
    expect(json<Array<{ theme: string }>>(run, 'review_plan_raw.json').map((a) => a.theme)).toEqual(REVIEW_THEMES.map(([t]) => t));
    expect(json(run, 'premortem_raw.json').rounds).toHaveLength(3);
    expect(json(run, 'self_audit_raw.json').items).toHaveLength(SELF_AUDIT_CHECKLIST.length);
    const governance = run.files.get('consolidate_governance.md') as string;
    expect([...governance.matchAll(/^## (.*)$/gm)].map((m) => m[1])).toEqual(['Audit', 'Governance Bodies', 'Implementation Plan', 'Decision Escalation Matrix', 'Monitoring Progress', 'Validation and Tough Questions']);
    expect(run.files.get('wbs_project_level1_and_level2_and_level3.csv')).toMatch(/^id,level,parent_id,title,description\r\n1,1,,/);
    expect(run.files.get('schedule_gantt_machai.csv')).toMatch(/^id,parent_id,level,title,start_date,end_date,duration_days,depends_on,estimated\r\n1\.1,1,2,/);
  });

  describe('fast mode', () => {
    // eight items per list: 8 work packages (3 duration chunks), 8 documents of each kind, and so on
    let slow: MemoryRun;
    let fast: MemoryRun;
    beforeAll(async () => {
      slow = await runInMemory(PIPELINE_STEPS, { prompt: 'Build a community garden.', answer: sampler(8) });
      fast = await runInMemory(PIPELINE_STEPS, { prompt: 'Build a community garden.', answer: sampler(8), speed: 'fast_but_skip_details' });
    });

    it('writes the same expected file set', () => {
      expect(declared(fast)).toEqual(EXPECTED);
      expect(declared(slow)).toEqual(EXPECTED);
    });

    it('reduces detail inside the steps as spec §4 says', () => {
      expect(count(slow, /^wbs_level3_\d+_raw\.json$/)).toBe(8);
      expect(count(fast, /^wbs_level3_\d+_raw\.json$/)).toBe(2);
      expect(count(slow, /^task_durations_\d+_raw\.json$/)).toBe(3);
      expect(count(fast, /^task_durations_\d+_raw\.json$/)).toBe(2);
      expect(json<unknown[]>(fast, 'task_durations.json')).toHaveLength(6);
      for (const kind of ['find', 'create']) {
        const kept = json<unknown[]>(slow, `filter_documents_to_${kind}_clean.json`).length;
        expect(kept, kind).toBeGreaterThan(2);
        expect(count(slow, new RegExp(`^draft_documents_to_${kind}_\\d+_raw\\.json$`)), kind).toBe(kept);
        expect(count(fast, new RegExp(`^draft_documents_to_${kind}_\\d+_raw\\.json$`)), kind).toBe(2);
        expect(json<unknown[]>(fast, `draft_documents_to_${kind}.json`)).toHaveLength(2);
      }
      expect(fast.files.get('documents_to_create_and_find.md')).toContain('Not drafted in this run');
      expect(json<unknown[]>(fast, 'review_plan_raw.json')).toHaveLength(3);
      expect(json<unknown[]>(slow, 'review_plan_raw.json')).toHaveLength(16);
      expect(json(fast, 'premortem_raw.json').rounds).toHaveLength(1);
      expect(json(fast, 'self_audit_raw.json').items).toHaveLength(2);
      expect(json(slow, 'self_audit_raw.json').items).toHaveLength(20);
      const calls = (run: MemoryRun, step: string) => run.calls.filter((c) => c.step === step).length;
      expect([calls(fast, 'ReviewPlan'), calls(fast, 'Premortem'), calls(fast, 'SelfAudit')]).toEqual([3, 1, 1]);
      expect([calls(slow, 'ReviewPlan'), calls(slow, 'Premortem'), calls(slow, 'SelfAudit')]).toEqual([16, 3, 4]);
      expect(calls(fast, 'ExpertReview')).toBe(3); // two experts, always
      const contract = fast.files.get('enrich_team_members_contract_type.json');
      expect(fast.files.get('enrich_team_members_background_story_raw.json')).toBe(contract);
      expect(fast.files.get('enrich_team_members_background_story.json')).toBe(contract);
      expect(calls(fast, 'EnrichTeamMembersWithBackgroundStory')).toBe(0);
      expect(calls(slow, 'EnrichTeamMembersWithBackgroundStory')).toBe(1);
      expect(fast.calls.length).toBeLessThan(slow.calls.length);
    });
  });
});
