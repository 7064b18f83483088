import { describe, it, expect } from 'vitest';
import { parseUuid, parsePromptCatalog, loadExamplePrompts, normaliseModelProfile, zTimestamp, isoMicrosZ, isoMicrosOffset, buildToolCatalog, toolOutputJsonSchema, ERROR_CODES } from './index.ts';

describe('contracts', () => {
  it('parseUuid canonicalises any UUID spelling and refuses the rest', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(parseUuid(id.toUpperCase())).toBe(id);
    expect(parseUuid(`{${id}}`)).toBe(id);
    expect(parseUuid(`urn:uuid:${id}`)).toBe(id);
    expect(parseUuid(id.replace(/-/g, ''))).toBe(id);
    for (const bad of ['', 'x', `${id}0`, '0f8fad5b-d9cb469f-a165-70867728950e', 42]) expect(parseUuid(bad)).toBeNull();
  });

  it('prompt catalog: bad lines, non-canonical ids and duplicates are skipped; flagged prompts are the samples', () => {
    const a = '6f1c2b6e-3e0f-4d8a-9b8e-1a2b3c4d5e6f';
    const text = [
      `{"id":"${a}","prompt":"one","mcp_example":true}`,
      'not json',
      `{"id":"${a}","prompt":"dup"}`,
      `{"id":"${a.toUpperCase()}","prompt":"upper"}`,
      `{"id":"","prompt":"x"}`,
      '',
    ].join('\n');
    const parsed = parsePromptCatalog(text);
    expect(parsed.map((p) => p.prompt)).toEqual(['one']);
    expect(parsed[0].extras.mcp_example).toBe(true);
    expect(loadExamplePrompts().length).toBeGreaterThanOrEqual(12);
    expect(loadExamplePrompts('/no/such/file').length).toBe(2);
  });

  it('profiles normalise; timestamps use the spec formats', () => {
    expect(normaliseModelProfile(' Premium ')).toBe('premium');
    expect(normaliseModelProfile('gold')).toBe('baseline');
    const d = new Date('2026-03-08T23:49:53.123Z');
    expect(zTimestamp(d)).toBe('2026-03-08T23:49:53Z');
    expect(isoMicrosZ(d)).toBe('2026-03-08T23:49:53.123000Z');
    expect(isoMicrosOffset(new Date('2026-03-08T23:49:53Z'))).toBe('2026-03-08T23:49:53+00:00');
  });

  it('descriptions carry the tested phrases and the TTL in minutes', () => {
    const cat = buildToolCatalog({ downloadTokenTtlSeconds: 600 });
    const d = Object.fromEntries(cat.map((t) => [t.name, t.description]));
    expect(d.plan_file_info).toContain('expire after 10 minutes');
    for (const s of ['pending/processing', 'completed', 'failed', 'pending for >5 minutes', '>20 minutes', 'PlanExeOrg/PlanExe/issues']) expect(d.plan_status).toContain(s);
    expect(d.plan_status).not.toContain('running/stopping');
    expect(d.example_prompts.toLowerCase()).toContain('call this first');
    const prompt = (cat.find((t) => t.name === 'plan_create')!.input.shape as any).prompt.description as string;
    expect(prompt).toContain('300-800 words');
    expect(prompt).toContain('objective, scope, constraints, timeline, stakeholders, budget/resources, and success criteria');
  });

  it('every advertised output schema accepts the contract error payload', () => {
    for (const t of buildToolCatalog({ downloadTokenTtlSeconds: 900 })) {
      const js = toolOutputJsonSchema(t.output) as any;
      expect(js.type).toBe('object');
      expect(js.properties.error).toBeDefined();
    }
    expect(ERROR_CODES).toContain('PLAN_NOT_FOUND');
  });
});
