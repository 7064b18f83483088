import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findProfileFile, readProfileEntries, type LlmEntry } from '@planexe/config';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { LlmExhaustedError, ModelRouter, modelListForRun, resolveEndpoint, type LlmAttempt } from '../src/index.ts';

const Answer = z.object({ summary: z.string(), items: z.array(z.string()) });
const ask = [{ role: 'user' as const, content: 'List the first steps for a bakery.' }];
const fast = { retryBaseDelayMs: 5 };

let fake: FakeLlm;

function model(key: string, modelId: string, args: Record<string, unknown> = {}, extra: Partial<LlmEntry> = {}): LlmEntry {
  return {
    key, providerClass: 'OpenAILike', model: modelId, priority: 1, luigiWorkers: 4,
    arguments: { model: modelId, api_base: fake.url, ...args }, ...extra,
  };
}

beforeAll(async () => {
  fake = await startFakeLlm({ models: ['model-a', 'model-b'] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('ModelRouter', () => {
  it('retries the same model after a 429', async () => {
    fake.queueFailures('429');
    const router = new ModelRouter([model('A', 'model-a'), model('B', 'model-b')], fast);
    const r = await router.completeJson(Answer, ask);
    expect(r.modelKey).toBe('A');
    expect(r.attempts.map((a) => [a.modelKey, a.attempt, a.ok])).toEqual([['A', 1, false], ['A', 2, true]]);
    expect(r.attempts[0].transient).toBe(true);
    expect(fake.calls.map((c) => c.model)).toEqual(['model-a', 'model-a']);
  });

  it('falls to model B after three 500s on model A, and the next interaction starts at A again', async () => {
    fake.queueFailures({ model: 'model-a', failures: ['500', '500', '500'] });
    const router = new ModelRouter([model('A', 'model-a'), model('B', 'model-b')], fast);
    const r = await router.completeText(ask);
    expect(r.modelKey).toBe('B');
    expect(r.attempts.map((a) => `${a.modelKey}#${a.attempt}:${a.ok}`)).toEqual(['A#1:false', 'A#2:false', 'A#3:false', 'B#1:true']);
    const next = await router.completeText(ask);
    expect(next.modelKey).toBe('A');
  });

  it('falls back when the per-model timeout fires on a hanging model', async () => {
    fake.queueFailures({ model: 'model-a', failures: ['hang'] });
    const router = new ModelRouter([model('A', 'model-a', { timeout: 1 }), model('B', 'model-b')], { ...fast, maxRetries: 0 });
    const started = Date.now();
    const r = await router.completeJson(Answer, ask);
    expect(r.modelKey).toBe('B');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(r.attempts[0]).toMatchObject({ modelKey: 'A', ok: false, transient: true });
    expect(r.attempts[0].error).toMatch(/timed out after 1\.0s/);
  });

  it('stops at once with an AbortError when the caller aborts during a hang, without fallback', async () => {
    fake.queueFailures({ model: 'model-a', failures: ['hang'] });
    const router = new ModelRouter([model('A', 'model-a', { timeout: 30 }), model('B', 'model-b')], fast);
    const ac = new AbortController();
    const started = Date.now();
    const pending = router.completeText(ask, { signal: ac.signal });
    await fake.waitForCalls(1);
    setTimeout(() => ac.abort(new Error('stop requested')), 100);
    const err = (await pending.catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].outcome).toBe('aborted');
  });

  it('does not start when the signal is already aborted', async () => {
    const router = new ModelRouter([model('A', 'model-a')], fast);
    const err = (await router.completeText(ask, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AbortError');
    expect(fake.calls).toHaveLength(0);
  });

  it('throws LlmExhaustedError listing every attempt when all models fail', async () => {
    fake.queueFailures({ model: 'model-a', failures: ['500', '500', '500'] });
    const broken = model('X', 'model-x', {}, { providerClass: 'NoSuchProvider' });
    const router = new ModelRouter([broken, model('A', 'model-a')], fast);
    const err = (await router.completeText(ask).catch((e: unknown) => e)) as LlmExhaustedError;
    expect(err).toBeInstanceOf(LlmExhaustedError);
    expect(err.attempts.map((a) => `${a.modelKey}#${a.attempt}`)).toEqual(['X#1', 'A#1', 'A#2', 'A#3']);
    expect(err.attempts[0]).toMatchObject({ transient: false });
    expect(err.attempts[0].error).toMatch(/unknown provider class "NoSuchProvider"/);
    expect(err.message).toMatch(/all 2 model\(s\) failed/);
    expect(err.message).toMatch(/A #3: .*HTTP 500/);
  });

  it('reports usage and cost of every attempt to onAttempt', async () => {
    fake.queueFailures('429');
    const seen: LlmAttempt[] = [];
    const pricing = { input_per_million_tokens: 1, output_per_million_tokens: 4 };
    const router = new ModelRouter([model('A', 'model-a', {}, { pricing })], { ...fast, onAttempt: (a) => void seen.push(a) });
    const perCall: LlmAttempt[] = [];
    const r = await router.completeJson(Answer, ask, { onAttempt: (a) => void perCall.push(a) });
    expect(seen).toHaveLength(2);
    expect(perCall).toEqual(seen);
    expect(seen[0]).toMatchObject({ modelKey: 'A', ok: false, costUsd: 0 });
    const ok = seen[1];
    expect(ok.ok).toBe(true);
    expect(ok.usage?.promptTokens).toBeGreaterThan(0);
    expect(ok.usage?.completionTokens).toBeGreaterThan(0);
    expect(ok.costUsd).toBeCloseTo((ok.usage!.promptTokens + 4 * ok.usage!.completionTokens) / 1e6, 12);
    expect(r.costUsd).toBe(ok.costUsd);
  });

  it('ends the interaction when onAttempt throws (stop raised by the progress callback)', async () => {
    fake.queueFailures('500');
    const router = new ModelRouter([model('A', 'model-a'), model('B', 'model-b')], {
      ...fast,
      onAttempt: () => {
        throw new Error('stop requested');
      },
    });
    await expect(router.completeText(ask)).rejects.toThrow('stop requested');
    expect(fake.calls).toHaveLength(1);
  });

  it('derives the parallelism hint and the run model list', () => {
    const a = model('A', 'model-a', {}, { luigiWorkers: 4, priority: 2 });
    const b = model('B', 'model-b', {}, { luigiWorkers: 2, priority: 1 });
    const c = model('C', 'model-c', {}, { luigiWorkers: null, priority: null });
    expect(new ModelRouter([a, b]).luigiWorkers()).toBe(2);
    expect(new ModelRouter([{ ...a, luigiWorkers: null }]).luigiWorkers()).toBe(1);
    expect(modelListForRun([a, b, c]).map((e) => e.key)).toEqual(['B', 'A']);
    expect(modelListForRun([c]).map((e) => e.key)).toEqual(['ollama-llama3.1']);
  });
});

describe('upstream-format profile file', () => {
  it('drives a call unchanged, with ${FAKE_KEY} substituted from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planexe-llm-'));
    try {
      mkdirSync(join(dir, 'llm_config'));
      const profile = {
        _comment: 'upstream files may carry non-object entries',
        'fake-primary': {
          comment: 'the fake OpenAI-compatible server',
          class: 'OpenAILike',
          arguments: { model: 'model-a', api_base: fake.url, api_key: '${FAKE_KEY}', temperature: 0.1, timeout: 30, max_tokens: 2048 },
          priority: 1,
          luigi_workers: 4,
          pricing_kind: 'paid',
          pricing: { input_per_million_tokens: 0.1, output_per_million_tokens: 0.4 },
        },
        'local-unprioritised': { class: 'Ollama', arguments: { model: 'llama3.1:latest' }, luigi_workers: 1, pricing_kind: 'free' },
      };
      writeFileSync(join(dir, 'llm_config', 'baseline.json'), JSON.stringify(profile, null, 2));
      const settings = { PLANEXE_CONFIG_PATH: dir, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'custom.json' };
      const env = { FAKE_KEY: 'sk-fake-123' };
      const file = findProfileFile('baseline.json', settings);
      expect(file).toBe(join(dir, 'llm_config', 'baseline.json'));
      const entries = modelListForRun(readProfileEntries(file, settings, env));
      expect(entries.map((e) => e.key)).toEqual(['fake-primary']);
      expect(resolveEndpoint(entries[0], env).apiKey).toBe('sk-fake-123');

      const router = new ModelRouter(entries, { ...fast, env });
      expect(router.luigiWorkers()).toBe(4);
      const r = await router.completeJson(Answer, ask);
      expect(Answer.safeParse(r.value).success).toBe(true);
      expect(r.costUsd).toBeGreaterThan(0);
      expect(fake.calls[0].request).toMatchObject({ model: 'model-a', temperature: 0.1, max_tokens: 2048 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
