import { afterEach, describe, expect, it } from 'vitest';
import AjvModule from 'ajv';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from './fakeLlm.ts';

// ajv is CommonJS: under NodeNext the default import is module.exports, whose `default` is the class.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

function makeAjv() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return ajv;
}

const open: FakeLlm[] = [];
async function start(options?: FakeLlmOptions): Promise<FakeLlm> {
  const f = await startFakeLlm(options);
  open.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const chat = (llm: FakeLlm, body: Record<string, unknown>, init: RequestInit = {}) =>
  fetch(`${llm.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'Plan a bakery' }], ...body }),
    ...init,
  });

const planSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'status', 'kind', 'start', 'id', 'phases', 'owner', 'meta', 'budget', 'done'],
  properties: {
    title: { type: 'string', minLength: 10, maxLength: 40 },
    status: { type: 'string', enum: ['draft', 'active', 'closed'] },
    kind: { const: 'plan' },
    start: { type: 'string', format: 'date' },
    updated: { type: 'string', format: 'date-time' },
    id: { type: 'string', format: 'uuid' },
    budget: { type: 'number', minimum: 1000, maximum: 5000 },
    done: { type: 'boolean' },
    note: { type: ['string', 'null'] },
    nothing: { type: 'null' },
    owner: { anyOf: [{ $ref: '#/$defs/person' }, { type: 'null' }] },
    meta: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 9 } },
    phases: { type: 'array', minItems: 3, maxItems: 4, items: { $ref: '#/definitions/phase' } },
  },
  $defs: {
    person: {
      type: 'object', required: ['name', 'email'], additionalProperties: false,
      properties: { name: { type: 'string' }, email: { type: 'string', maxLength: 80 } },
    },
  },
  definitions: {
    phase: {
      type: 'object', required: ['name', 'weeks', 'tasks'],
      properties: {
        name: { type: 'string', maxLength: 30 },
        weeks: { type: 'integer', minimum: 1, maximum: 12 },
        tasks: { type: 'array', maxItems: 1, items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
        risk: { type: 'object', properties: { level: { enum: [1, 2, 3] } }, additionalProperties: false },
      },
    },
  },
};

const schemaFormat = { type: 'json_schema', json_schema: { name: 'plan', schema: planSchema, strict: true } };

async function contentOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
  return body.choices[0].message.content;
}

describe('fake LLM: answers', () => {
  it('returns schema-valid JSON for a nested json_schema, varying with the prompt and deterministic', async () => {
    const llm = await start();
    const validate = makeAjv().compile(planSchema);
    const a = await contentOf(await chat(llm, { response_format: schemaFormat }));
    const parsed = JSON.parse(a) as { title: string; phases: unknown[] };
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    expect(parsed.title).toContain('Title');
    expect(parsed.phases.length).toBeGreaterThanOrEqual(3);
    const other = [{ role: 'user', content: 'Organise a conference' }];
    const b = await contentOf(await chat(llm, { response_format: schemaFormat, messages: other }));
    expect(validate(JSON.parse(b)), JSON.stringify(validate.errors)).toBe(true);
    expect(b).not.toBe(a);
    expect(await contentOf(await chat(llm, { response_format: schemaFormat }))).toBe(a);
    expect(llm.calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(llm.calls[0].response_format?.type).toBe('json_schema');
  });

  it('answers in the OpenAI shape with usage, and plain text depends on the prompt', async () => {
    const llm = await start();
    const res = await chat(llm, {});
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ object: 'chat.completion', model: 'fake-model', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] });
    expect(typeof body.id).toBe('string');
    expect(body.usage.completion_tokens).toBe(Math.ceil(body.choices[0].message.content.length / 4));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    const other = await contentOf(await chat(llm, { messages: [{ role: 'user', content: 'Something else' }] }));
    expect(other).not.toBe(body.choices[0].message.content);
    expect(other).toContain('Something else');
  });

  it('json_object gives {answer}, jsonSchemaFor hook and prompt-embedded schemas are honoured', async () => {
    const llm = await start({ jsonSchemaFor: (r) => (r.model === 'hooked' ? { type: 'object', required: ['x'], properties: { x: { type: 'integer', minimum: 7, maximum: 7 } } } : undefined) });
    const plain = JSON.parse(await contentOf(await chat(llm, { response_format: { type: 'json_object' } })));
    expect(typeof plain.answer).toBe('string');
    const hooked = JSON.parse(await contentOf(await chat(llm, { model: 'hooked', response_format: { type: 'json_object' } })));
    expect(hooked).toEqual({ x: 7 });
    const prompt = 'Reply in JSON matching:\n```json\n{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}\n```';
    const embedded = JSON.parse(await contentOf(await chat(llm, { messages: [{ role: 'system', content: prompt }, { role: 'user', content: 'hi' }] })));
    expect(Object.keys(embedded)).toEqual(['city']);
  });

  it('serves /models, /v1/models, /api/tags and streams SSE', async () => {
    const llm = await start({ models: ['m1', 'm2'] });
    const v1 = (await (await fetch(`${llm.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(v1.data.map((m) => m.id)).toEqual(['m1', 'm2']);
    const bare = (await (await fetch(`http://127.0.0.1:${llm.port}/models`)).json()) as { data: unknown[] };
    expect(bare.data).toHaveLength(2);
    const tags = await (await fetch(`http://127.0.0.1:${llm.port}/api/tags`)).json();
    expect(tags).toEqual({ models: [{ name: 'm1', model: 'm1' }, { name: 'm2', model: 'm2' }] });
    const unprefixed = await fetch(`http://127.0.0.1:${llm.port}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm1', messages: [] }) });
    expect(unprefixed.status).toBe(200);
    const sse = await (await chat(llm, { stream: true })).text();
    const frames = sse.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const text = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)).choices[0].delta.content ?? '').join('');
    expect(text).toContain('Plan a bakery');
    expect((await fetch(`${llm.url}/nope`)).status).toBe(404);
  });
});

describe('fake LLM: failures', () => {
  it('429 and 500 return OpenAI-style error bodies; queue is FIFO then falls back to the global behaviour', async () => {
    const llm = await start();
    llm.queueFailures('429', '500', 'ok');
    const r1 = await chat(llm, {});
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('0');
    expect(((await r1.json()) as any).error.type).toBe('rate_limit_exceeded');
    const r2 = await chat(llm, {});
    expect(r2.status).toBe(500);
    expect(((await r2.json()) as any).error.message).toMatch(/error/);
    expect((await chat(llm, {})).status).toBe(200);
    llm.setBehaviour({ mode: '500' });
    expect((await chat(llm, {})).status).toBe(500);
    expect(llm.calls.map((c) => c.outcome)).toEqual(['429', '500', 'ok', '500']);
    llm.reset();
    expect(llm.calls).toHaveLength(0);
    expect((await chat(llm, {})).status).toBe(200);
  });

  it('model-restricted failures only hit that model', async () => {
    const llm = await start();
    llm.queueFailures({ model: 'm1', failures: ['500'] });
    expect((await chat(llm, { model: 'm2' })).status).toBe(200);
    expect((await chat(llm, { model: 'm1' })).status).toBe(500);
    expect((await chat(llm, { model: 'm1' })).status).toBe(200);
  });

  it('malformed: invalid JSON content when JSON was asked, truncated body otherwise', async () => {
    const llm = await start();
    llm.queueFailures('malformed', 'malformed');
    const content = await contentOf(await chat(llm, { response_format: schemaFormat }));
    expect(() => JSON.parse(content)).toThrow();
    const res = await chat(llm, {});
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(() => JSON.parse(raw)).toThrow();
    expect(llm.calls.map((c) => c.outcome)).toEqual(['malformed', 'malformed']);
  });

  it('hang never answers; the client abort is recorded', async () => {
    const llm = await start();
    llm.queueFailures('hang');
    const ac = new AbortController();
    const pending = chat(llm, {}, { signal: ac.signal });
    await llm.waitForCalls(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(llm.calls[0]).toMatchObject({ mode: 'hang', outcome: 'pending' });
    ac.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => llm.calls[0].outcome).toBe('aborted');
  });

  it('close() returns promptly with a hanging request pending', async () => {
    const llm = await startFakeLlm({ mode: 'hang' });
    const pending = chat(llm, {}).then(() => 'answered', () => 'failed');
    await llm.waitForCalls(1);
    const t0 = Date.now();
    await llm.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });
});

describe('fake LLM: latency', () => {
  it('honours fixed latency, per-call overrides and slow mode', async () => {
    const llm = await start({ latencyMs: 150, slowExtraMs: 200 });
    let t0 = Date.now();
    expect((await chat(llm, {})).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    llm.queueFailures({ latencyMs: 300 }, 'slow');
    t0 = Date.now();
    await (await chat(llm, {})).text();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(295);
    t0 = Date.now();
    await (await chat(llm, {})).text();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(345);
    expect(llm.calls[2]).toMatchObject({ mode: 'slow', outcome: 'ok' });
  });

  it('honours a latency range', async () => {
    const llm = await start({ latencyMs: { min: 100, max: 150 } });
    const t0 = Date.now();
    await (await chat(llm, {})).text();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
  });

  it('records an abort during latency and does not answer', async () => {
    const llm = await start({ latencyMs: 2000 });
    const ac = new AbortController();
    const pending = chat(llm, {}, { signal: ac.signal });
    await llm.waitForCalls(1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => llm.calls[0].outcome).toBe('aborted');
    expect(llm.calls[0].status).toBeUndefined();
  });
});
