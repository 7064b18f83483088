import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmEntry } from '@planexe/config';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { ModelReachability } from '../src/index.ts';

let fake: FakeLlm;
let closedPort: number;

function entry(key: string, providerClass: string, args: Record<string, unknown>, priority: number | null = 1): LlmEntry {
  return { key, providerClass, model: (args.model as string) ?? null, priority, luigiWorkers: 1, arguments: args };
}

/** A port that was free a moment ago and has nothing listening now. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  fake = await startFakeLlm({ models: ['model-a', 'llama3.1:latest', 'nomic-embed-text:latest'] });
  closedPort = await freePort();
});
afterAll(() => fake.close());

describe('ModelReachability', () => {
  it('reports the fake as reachable and a closed port as unreachable', async () => {
    const reach = new ModelReachability({ timeoutMs: 2000 });
    expect(await reach.isReachable(entry('up', 'OpenAILike', { model: 'model-a', api_base: fake.url }))).toBe(true);
    const down = await reach.check(entry('down', 'OpenAILike', { model: 'model-a', api_base: `http://127.0.0.1:${closedPort}/v1` }));
    expect(down.reachable).toBe(false);
    expect(down.reason).toMatch(/connection error/);
  });

  it('counts a missing or unsubstituted key as unreachable without a network call', async () => {
    const reach = new ModelReachability({ env: {} });
    const started = Date.now();
    // api_base points at a blackhole address: a network probe would take the full timeout
    const r = await reach.check(entry('k', 'OpenAILike', { model: 'm', api_base: 'http://10.255.255.1/v1', api_key: '${MISSING}' }));
    expect(r.reachable).toBe(false);
    expect(r.reason).toMatch(/\$\{MISSING\}/);
    const r2 = await reach.check(entry('or', 'OpenRouter', { model: 'x/y' }));
    expect(r2).toMatchObject({ reachable: false });
    expect(r2.reason).toMatch(/OPENROUTER_API_KEY/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('checks that an Ollama model is pulled', async () => {
    const root = fake.url.replace(/\/v1$/, '');
    const reach = new ModelReachability();
    expect(await reach.isReachable(entry('o1', 'Ollama', { model: 'llama3.1', base_url: root }))).toBe(true);
    const missing = await reach.check(entry('o2', 'Ollama', { model: 'qwen3:8b', base_url: root }));
    expect(missing.reachable).toBe(false);
    expect(missing.reason).toMatch(/not pulled/);
  });

  it('caches results for the ttl', async () => {
    let now = 1_000_000;
    const reach = new ModelReachability({ ttlMs: 30_000, now: () => now });
    const e = entry('up', 'OpenAILike', { model: 'model-a', api_base: fake.url });
    const first = await reach.check(e);
    now += 10_000;
    expect((await reach.check(e)).checkedAt).toBe(first.checkedAt);
    now += 30_000;
    expect((await reach.check(e)).checkedAt).toBe(now);
  });

  it('keeps an unreachable result only briefly, so one slow probe does not refuse plans for the whole ttl', async () => {
    let now = 2_000_000;
    const reach = new ModelReachability({ ttlMs: 30_000, failureTtlMs: 3_000, now: () => now });
    const down = entry('down', 'OpenAILike', { model: 'model-a', api_base: `http://127.0.0.1:${closedPort}/v1` });
    const first = await reach.check(down);
    expect(first.reachable).toBe(false);
    now += 2_000;
    expect((await reach.check(down)).checkedAt).toBe(first.checkedAt); // within the failure ttl: the same probe
    now += 2_000;
    expect((await reach.check(down)).checkedAt).toBe(now); // past it, well within the ttl: probed again
    const up = entry('up', 'OpenAILike', { model: 'model-a', api_base: fake.url });
    const ok = await reach.check(up);
    now += 10_000;
    expect((await reach.check(up)).checkedAt).toBe(ok.checkedAt); // a reachable result keeps the full ttl
  });

  it('isRunnable needs at least one reachable prioritised model', async () => {
    const reach = new ModelReachability();
    const up = entry('up', 'OpenAILike', { model: 'model-a', api_base: fake.url });
    const down = entry('down', 'OpenAILike', { model: 'model-a', api_base: `http://127.0.0.1:${closedPort}/v1` });
    expect(await reach.isRunnable([down, up])).toBe(true);
    expect(await reach.isRunnable({ entries: [down, { ...up, priority: null }] })).toBe(false);
    expect(await reach.isRunnable([])).toBe(false);
  });

  it('discoverLocal turns running local servers into entries', async () => {
    const reach = new ModelReachability();
    const found = await reach.discoverLocal({ ollamaUrl: fake.url.replace(/\/v1$/, ''), lmStudioUrl: fake.url });
    const keys = found.map((e) => e.key);
    expect(keys).toEqual(['ollama-model-a', 'ollama-llama3.1:latest', 'lmstudio-model-a', 'lmstudio-llama3.1:latest']);
    expect(found.map((e) => e.priority)).toEqual([1, 2, 3, 4]);
    expect(found[0]).toMatchObject({ providerClass: 'Ollama', luigiWorkers: 1 });
    expect(await reach.isReachable(found[1])).toBe(true);
    const none = await reach.discoverLocal({ ollamaUrl: `http://127.0.0.1:${closedPort}`, lmStudioUrl: `http://127.0.0.1:${closedPort}/v1` });
    expect(none).toEqual([]);
  });
});
