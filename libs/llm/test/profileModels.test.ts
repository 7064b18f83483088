import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmEntry } from '@planexe/config';
import { modelsForProfile, type ModelSource } from '../src/index.ts';

const localEntry = (key: string): LlmEntry => ({ key, providerClass: 'Ollama', model: key, priority: 50, luigiWorkers: 1, arguments: { model: key } });

describe('modelsForProfile', () => {
  let dir: string;
  let settings: ModelSource['settings'];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'planexe-profile-models-'));
    mkdirSync(join(dir, 'llm_config'));
    const entry = (model: string, priority: number) => ({ class: 'OpenAILike', arguments: { model, api_base: 'http://127.0.0.1:9/v1', api_key: '${TEST_KEY}' }, priority });
    writeFileSync(join(dir, 'llm_config', 'baseline.json'), JSON.stringify({ second: entry('b', 2), first: entry('a', 1) }));
    writeFileSync(join(dir, 'llm_config', 'premium.json'), JSON.stringify({ paid: entry('p', 1) }));
    // the custom file name points at a file that exists nowhere, so the custom profile has no file
    settings = { PLANEXE_CONFIG_PATH: dir, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'no_such_profile_file.json' };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the profile's file in priority order with the environment substituted", () => {
    const m = modelsForProfile('baseline', { settings, env: { TEST_KEY: 'sk-test' } });
    expect(m.file).toBe(join(dir, 'llm_config', 'baseline.json'));
    expect(m.entries.map((e) => e.key)).toEqual(['first', 'second']);
    expect(m.entries[0].arguments.api_key).toBe('sk-test');
  });

  it('adds discovered local models to baseline only, without repeating a listed key', () => {
    const local = [localEntry('first'), localEntry('ollama-local')];
    expect(modelsForProfile('baseline', { settings, env: {}, local }).entries.map((e) => e.key)).toEqual(['first', 'second', 'ollama-local']);
    expect(modelsForProfile('premium', { settings, env: {}, local }).entries.map((e) => e.key)).toEqual(['paid']);
  });

  it('reports a profile without a file as such, with no models', () => {
    const m = modelsForProfile('custom', { settings, env: {}, local: [localEntry('ollama-local')] });
    expect(m.file).toBeUndefined();
    expect(m.entries).toEqual([]);
  });
});
