/**
 * Whether model endpoints answer right now (for `model_profiles` and the "is any model runnable" check),
 * and discovery of local LLM servers (Ollama, LM Studio) for standalone runs without a cloud key.
 */
import { runnableEntries, type LlmEntry } from '@planexe/config';
import { LlmError } from './errors.ts';
import type { FetchLike } from './httpChat.ts';
import { endpointHeaders, resolveEndpoint, type LlmEndpoint } from './providers.ts';

export interface ReachabilityResult {
  reachable: boolean;
  /** Why not, when unreachable (never contains the API key). */
  reason?: string;
  /** Epoch ms of the probe (cached results keep the original time). */
  checkedAt: number;
}

export interface ReachabilityOptions {
  /** Probe timeout. Default 2000 ms. */
  timeoutMs?: number;
  /** How long a reachable result is reused. Default 30000 ms. */
  ttlMs?: number;
  /**
   * How long an unreachable result is reused. Default 3000 ms: one probe that timed out on a busy machine must not
   * make every plan_create answer NO_MODEL_AVAILABLE for the full ttl; a model that is really down is re-probed at
   * most this often (concurrent checks still share one probe).
   */
  failureTtlMs?: number;
  env?: Record<string, string | undefined>;
  fetch?: FetchLike;
  now?: () => number;
}

export interface DiscoverOptions {
  /** Ollama root. Default http://127.0.0.1:11434 */
  ollamaUrl?: string;
  /** LM Studio OpenAI-compatible base. Default http://127.0.0.1:1234/v1 */
  lmStudioUrl?: string;
}

const sameOllamaModel = (a: string, b: string): boolean => {
  const norm = (s: string) => (s.includes(':') ? s : `${s}:latest`);
  return norm(a) === norm(b);
};

export class ModelReachability {
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly env: Record<string, string | undefined>;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly cache = new Map<string, { expires: number; result: Promise<ReachabilityResult> }>();

  constructor(options: ReachabilityOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.failureTtlMs = Math.min(options.failureTtlMs ?? 3_000, this.ttlMs);
    this.env = options.env ?? process.env;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** Probes one entry (cached per endpoint + key + model for `ttlMs`; concurrent checks share one probe). */
  check(entry: LlmEntry): Promise<ReachabilityResult> {
    let ep: LlmEndpoint;
    try {
      ep = resolveEndpoint(entry, this.env);
    } catch (err) {
      return Promise.resolve({ reachable: false, reason: err instanceof LlmError ? err.message : String(err), checkedAt: this.now() });
    }
    if (ep.apiKeyProblem) return Promise.resolve({ reachable: false, reason: ep.apiKeyProblem, checkedAt: this.now() });
    const cacheKey = JSON.stringify([ep.probe, ep.baseUrl, ep.ollamaRoot ?? '', ep.model, ep.apiKey ?? '']);
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > this.now()) return hit.result;
    const result = this.probe(ep);
    const cached = { expires: this.now() + this.ttlMs, result };
    this.cache.set(cacheKey, cached);
    // the shorter life of a failure starts when the probe ends (a probe that timed out took the whole timeout)
    void result.then((r) => {
      if (!r.reachable) cached.expires = Math.min(cached.expires, this.now() + this.failureTtlMs);
    });
    return result;
  }

  async isReachable(entry: LlmEntry): Promise<boolean> {
    return (await this.check(entry)).reachable;
  }

  /** Reachability of every entry, keyed by model key. */
  async checkAll(entries: LlmEntry[]): Promise<Map<string, ReachabilityResult>> {
    const results = await Promise.all(entries.map((e) => this.check(e)));
    return new Map(entries.map((e, i) => [e.key, results[i]]));
  }

  /** At least one prioritised model of the profile answers now. Accepts entries or a `{entries}` listing. */
  async isRunnable(profile: LlmEntry[] | { entries: LlmEntry[] }): Promise<boolean> {
    const entries = runnableEntries(Array.isArray(profile) ? profile : profile.entries);
    if (entries.length === 0) return false;
    const results = await Promise.all(entries.map((e) => this.isReachable(e)));
    return results.some(Boolean);
  }

  /** Drops cached results (e.g. after the user started a local server). */
  clear(): void {
    this.cache.clear();
  }

  /** Finds running local servers and returns synthetic entries: Ollama models first, then LM Studio models. */
  async discoverLocal(options: DiscoverOptions = {}): Promise<LlmEntry[]> {
    const ollamaRoot = (options.ollamaUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '').replace(/\/v1$/, '');
    const lmBase = (options.lmStudioUrl ?? 'http://127.0.0.1:1234/v1').replace(/\/+$/, '');
    const [ollama, lmStudio] = await Promise.all([
      this.getJson(`${ollamaRoot}/api/tags`, {}),
      this.getJson(`${lmBase}/models`, {}),
    ]);
    const ollamaNames = listOf(ollama.body, 'models').map((m) => m.name ?? m.model).filter(isChatModel);
    const lmIds = listOf(lmStudio.body, 'data').map((m) => m.id).filter(isChatModel);
    const found: LlmEntry[] = [
      ...ollamaNames.map((name) => localEntry(`ollama-${name}`, 'Ollama', name, { api_base: ollamaRoot })),
      ...lmIds.map((id) => localEntry(`lmstudio-${id}`, 'LMStudio', id, { api_base: lmBase })),
    ];
    return found.map((e, i) => ({ ...e, priority: i + 1 }));
  }

  private async probe(ep: LlmEndpoint): Promise<ReachabilityResult> {
    const checkedAt = this.now();
    if (ep.probe === 'ollama') {
      const tags = await this.getJson(`${ep.ollamaRoot}/api/tags`, {});
      if (tags.error) return { reachable: false, reason: tags.error, checkedAt };
      const names = listOf(tags.body, 'models').map((m) => m.name ?? m.model).filter((n): n is string => typeof n === 'string');
      if (!names.some((n) => sameOllamaModel(n, ep.model))) {
        return { reachable: false, reason: `model ${ep.model} is not pulled in Ollama (ollama pull ${ep.model})`, checkedAt };
      }
      return { reachable: true, checkedAt };
    }
    const models = await this.getJson(`${ep.baseUrl}/models`, endpointHeaders(ep));
    return models.error ? { reachable: false, reason: models.error, checkedAt } : { reachable: true, checkedAt };
  }

  /** GET a JSON document with the probe timeout; never throws. */
  private async getJson(url: string, headers: Record<string, string>): Promise<{ body?: unknown; error?: string }> {
    try {
      const res = await this.fetchImpl(url, { headers: { ...headers, accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      if (!res.ok) return { error: `GET ${url} answered HTTP ${res.status}` };
      try {
        return { body: JSON.parse(text) };
      } catch {
        return { error: `GET ${url} answered with a body that is not JSON` };
      }
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { error: timedOut ? `GET ${url} timed out after ${this.timeoutMs} ms` : `GET ${url} failed: connection error` };
    }
  }
}

function listOf(body: unknown, field: string): Array<Record<string, string | undefined>> {
  if (!body || typeof body !== 'object') return [];
  const list = (body as Record<string, unknown>)[field];
  return Array.isArray(list) ? list.filter((x) => x && typeof x === 'object') : [];
}

/** Embedding models cannot chat; everything else found locally is offered. */
function isChatModel(name: string | undefined): name is string {
  return typeof name === 'string' && name !== '' && !/embed/i.test(name);
}

function localEntry(key: string, providerClass: string, model: string, extra: Record<string, unknown>): LlmEntry {
  return {
    key, providerClass, model, priority: null, luigiWorkers: 1,
    arguments: { model, ...extra, temperature: 0.1, timeout: 300 },
  };
}
