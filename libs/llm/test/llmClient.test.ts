import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LlmEntry } from '@planexe/config';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { ChatClient, LlmError, resolveEndpoint, extractJson } from '../src/index.ts';

const PlanSummary = z.object({
  title: z.string(),
  steps: z.array(z.string()).min(1),
  risk: z.enum(['low', 'medium', 'high']),
  budget_usd: z.number().int().min(0),
});

function entry(key: string, providerClass: string, args: Record<string, unknown>, extra: Partial<LlmEntry> = {}): LlmEntry {
  return { key, providerClass, model: (args.model as string) ?? null, priority: 1, luigiWorkers: 4, arguments: args, ...extra };
}

let fake: FakeLlm;
const ask = [{ role: 'user' as const, content: 'Plan a small coffee shop in Copenhagen.' }];

beforeAll(async () => {
  fake = await startFakeLlm({ models: ['model-a', 'llama3.1:latest'] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('ChatClient.completeJson', () => {
  it('asks with a strict json_schema and returns the validated answer', async () => {
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url, temperature: 0.2, max_tokens: 500 }));
    const r = await client.completeJson(PlanSummary, ask, { schemaName: 'plan summary' });
    expect(PlanSummary.parse(r.value)).toEqual(r.value);
    expect(r.repaired).toBe(false);
    expect(r.modelKey).toBe('a');
    expect(r.usage.estimated).toBe(false);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
    expect(fake.calls).toHaveLength(1);
    const req = fake.calls[0].request;
    expect(req.model).toBe('model-a');
    expect(req.temperature).toBe(0.2);
    expect(req.max_tokens).toBe(500);
    expect(req.response_format?.type).toBe('json_schema');
    expect(req.response_format?.json_schema?.name).toBe('plan_summary');
    expect(req.response_format?.json_schema?.strict).toBe(true);
    expect(req.response_format?.json_schema?.schema).toMatchObject({ type: 'object', required: ['title', 'steps', 'risk', 'budget_usd'] });
  });

  it('repairs a malformed answer with one retry that carries the bad answer and the error', async () => {
    fake.queueFailures('malformed');
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url }));
    const r = await client.completeJson(PlanSummary, ask);
    expect(r.repaired).toBe(true);
    expect(PlanSummary.safeParse(r.value).success).toBe(true);
    expect(fake.calls.map((c) => c.outcome)).toEqual(['malformed', 'ok']);
    const retry = fake.calls[1].messages;
    expect(retry.at(-2)?.role).toBe('assistant');
    expect(String(retry.at(-1)?.content)).toMatch(/not valid JSON|does not match/);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
  });

  it('fails permanently when the repair answer is still malformed', async () => {
    fake.queueFailures('malformed', 'malformed');
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url }));
    const err = await client.completeJson(PlanSummary, ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('invalid_output');
    expect((err as LlmError).transient).toBe(false);
    expect((err as LlmError).usage?.totalTokens).toBeGreaterThan(0);
    expect(fake.calls).toHaveLength(2);
  });

  it('uses json_object plus the schema in the prompt for Ollama', async () => {
    const root = fake.url.replace(/\/v1$/, '');
    const client = new ChatClient(entry('o', 'Ollama', { model: 'llama3.1:latest', base_url: root }));
    expect(client.endpoint.baseUrl).toBe(`${root}/v1`);
    const r = await client.completeJson(PlanSummary, ask);
    expect(PlanSummary.safeParse(r.value).success).toBe(true);
    const req = fake.calls[0].request;
    expect(req.response_format).toEqual({ type: 'json_object' });
    expect(String(req.messages[0].content)).toContain('"budget_usd"');
  });
});

describe('ChatClient.completeText', () => {
  it('returns text, provider usage and cost from the entry pricing', async () => {
    const pricing = { input_per_million_tokens: 2, output_per_million_tokens: 8 };
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url }, { pricing }));
    const r = await client.completeText(ask);
    expect(r.text.length).toBeGreaterThan(10);
    expect(fake.calls[0].request.response_format).toBeUndefined();
    const expected = (r.usage.promptTokens * 2 + r.usage.completionTokens * 8) / 1e6;
    expect(r.costUsd).toBeCloseTo(expected, 12);
    expect(r.costUsd).toBeGreaterThan(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('classifies HTTP 429 and 500 as transient', async () => {
    fake.queueFailures('429', '500');
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url }));
    for (const status of [429, 500]) {
      const err = (await client.completeText(ask).catch((e: unknown) => e)) as LlmError;
      expect(err).toBeInstanceOf(LlmError);
      expect(err.status).toBe(status);
      expect(err.transient).toBe(true);
    }
  });

  it('refuses to call with an unsubstituted ${VAR} key', async () => {
    const client = new ChatClient(entry('a', 'OpenAILike', { model: 'model-a', api_base: fake.url, api_key: '${MISSING_KEY_X}' }));
    const err = (await client.completeText(ask).catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('config');
    expect(err.transient).toBe(false);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('resolveEndpoint', () => {
  it('maps the provider classes', () => {
    const env = { OPENROUTER_API_KEY: 'or-key', OPENAI_API_KEY: 'oa-key' };
    const or = resolveEndpoint(entry('r', 'OpenRouter', { model: 'google/gemini', timeout: 120 }), env);
    expect(or).toMatchObject({ baseUrl: 'https://openrouter.ai/api/v1', apiKey: 'or-key', timeoutMs: 120_000, structuredOutput: 'json_schema' });
    expect(resolveEndpoint(entry('o', 'OpenAI', { model: 'gpt-5-mini', api_key: 'given' }), env)).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'given' });
    expect(resolveEndpoint(entry('l', 'Ollama', { model: 'llama3.1' }), env)).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', ollamaRoot: 'http://127.0.0.1:11434', structuredOutput: 'json_object' });
    expect(resolveEndpoint(entry('m', 'LMStudio', { model: 'local' }), env).baseUrl).toBe('http://127.0.0.1:1234/v1');
    expect(resolveEndpoint(entry('x', 'Anthropic', { model: 'claude' }), {}).apiKeyProblem).toMatch(/ANTHROPIC_API_KEY/);
    expect(resolveEndpoint(entry('t', 'ThinkingAwareOpenAILike', { model: 'q', api_base: 'http://h:1/v1/' }), {}).baseUrl).toBe('http://h:1/v1');
    expect(resolveEndpoint(entry('r2', 'OpenRouter', { model: 'm' }), {}).apiKeyProblem).toMatch(/OPENROUTER_API_KEY/);
  });

  it('throws a clear permanent error for an unknown class or a missing api_base', () => {
    for (const e of [entry('u', 'Bedrock', { model: 'm' }), entry('v', 'OpenAILike', { model: 'm' })]) {
      let err: unknown;
      try {
        resolveEndpoint(e, {});
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(LlmError);
      expect((err as LlmError).transient).toBe(false);
      expect((err as Error).message).toMatch(/unknown provider class "Bedrock"|requires arguments.api_base/);
    }
  });

  it('extracts JSON from fenced and thinking answers', () => {
    expect(extractJson('<think>hmm {</think>\n```json\n{"a": 1}\n```')).toEqual({ a: 1 });
    expect(extractJson('Sure! {"a": [1, 2]} hope that helps')).toEqual({ a: [1, 2] });
    expect(() => extractJson('{"a": ')).toThrow(/not valid JSON/);
  });
});
