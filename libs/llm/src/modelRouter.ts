/**
 * Model selection and fallback for one run (spec/pipeline.md §6.4): every interaction walks the run's model list,
 * retrying transient errors on the same model (1 s, 2 s, … capped at 30 s) before falling to the next model.
 */
import type { z } from 'zod';
import { runnableEntries, type LlmEntry } from '@planexe/config';
import { ChatClient, type CompleteJsonOptions, type CompleteOptions, type CompletionMeta, type JsonCompletion, type TextCompletion } from './chatClient.ts';
import { LlmAbortError, LlmError, LlmExhaustedError, isAbortError, isTransientError, throwIfAborted, type LlmAttempt } from './errors.ts';
import type { FetchLike } from './httpChat.ts';
import type { ChatMessage } from './usage.ts';

export type AttemptListener = (attempt: LlmAttempt) => void | Promise<void>;

export interface ModelRouterOptions {
  env?: Record<string, string | undefined>;
  fetch?: FetchLike;
  /** Delay before the first retry of a model; doubles per retry. Default 1000 ms (spec). Tests pass a few ms. */
  retryBaseDelayMs?: number;
  /** Cap of the retry delay. Default 30000 ms. */
  retryMaxDelayMs?: number;
  /** Retries of the same model after a transient error. Default 2 (three tries in all). */
  maxRetries?: number;
  /**
   * Called after every attempt, successful or not. An error thrown here (e.g. "stop requested") ends the
   * interaction at once and propagates to the caller.
   */
  onAttempt?: AttemptListener;
}

export interface RouteOptions {
  signal?: AbortSignal;
  /** Per-interaction listener, called after the router-wide one. */
  onAttempt?: AttemptListener;
}

/** A successful interaction plus every attempt it took (failed ones first, the successful one last). */
export type Routed<R> = R & { attempts: LlmAttempt[] };

/** Model id used when a profile has no prioritised entries (spec §6.4). */
export const DEFAULT_MODEL_KEY = 'ollama-llama3.1';

export function defaultModelEntry(): LlmEntry {
  return {
    key: DEFAULT_MODEL_KEY, providerClass: 'Ollama', model: 'llama3.1:latest', priority: 0, luigiWorkers: 1,
    arguments: { model: 'llama3.1:latest', temperature: 0.1, timeout: 300 },
  };
}

/** The run's model list from a profile's entries: prioritised ones in priority order, else the Ollama default. */
export function modelListForRun(entries: LlmEntry[]): LlmEntry[] {
  const list = runnableEntries(entries)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.priority ?? 0) - (b.e.priority ?? 0) || a.i - b.i)
    .map((x) => x.e);
  return list.length ? list : [defaultModelEntry()];
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmAbortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmAbortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Slot = { entry: LlmEntry; client?: ChatClient; configError?: LlmError };

export class ModelRouter {
  private readonly slots: Slot[];
  private readonly opts: Required<Pick<ModelRouterOptions, 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxRetries'>> & ModelRouterOptions;

  /** `entries` = the run's models in order (use `modelListForRun`); an empty list means the Ollama default. */
  constructor(entries: LlmEntry[], options: ModelRouterOptions = {}) {
    this.opts = { retryBaseDelayMs: 1000, retryMaxDelayMs: 30_000, maxRetries: 2, ...options };
    const list = entries.length ? entries : [defaultModelEntry()];
    this.slots = list.map((entry) => {
      try {
        return { entry, client: new ChatClient(entry, { env: options.env, fetch: options.fetch }) };
      } catch (err) {
        if (err instanceof LlmError) return { entry, configError: err };
        throw err;
      }
    });
  }

  /** Model keys in the order they are tried. */
  get modelKeys(): string[] {
    return this.slots.map((s) => s.entry.key);
  }

  /** Max parallel steps: the smallest valid luigi_workers among the models, default 1. */
  luigiWorkers(): number {
    const valid = this.slots.map((s) => s.entry.luigiWorkers).filter((n): n is number => Number.isInteger(n) && (n as number) >= 1);
    return valid.length ? Math.min(...valid) : 1;
  }

  completeJson<S extends z.ZodType>(schema: S, messages: ChatMessage[], opts: CompleteJsonOptions & RouteOptions = {}): Promise<Routed<JsonCompletion<z.output<S>>>> {
    return this.run((client, signal) => client.completeJson(schema, messages, { ...opts, signal }), opts);
  }

  completeText(messages: ChatMessage[], opts: CompleteOptions & RouteOptions = {}): Promise<Routed<TextCompletion>> {
    return this.run((client, signal) => client.completeText(messages, { ...opts, signal }), opts);
  }

  /** Runs one interaction through the fallback chain. `call` must honour the signal it is given. */
  async run<R extends CompletionMeta>(call: (client: ChatClient, signal: AbortSignal | undefined) => Promise<R>, opts: RouteOptions = {}): Promise<Routed<R>> {
    const { signal } = opts;
    const attempts: LlmAttempt[] = [];
    const report = async (a: LlmAttempt) => {
      attempts.push(a);
      await this.opts.onAttempt?.(a);
      await opts.onAttempt?.(a);
    };

    for (const slot of this.slots) {
      const modelKey = slot.entry.key;
      for (let attempt = 1; attempt <= this.opts.maxRetries + 1; attempt++) {
        throwIfAborted(signal);
        if (!slot.client) {
          await report({ modelKey, attempt, ok: false, error: slot.configError?.message ?? 'unusable entry', transient: false, costUsd: 0, durationMs: 0 });
          break;
        }
        const started = performance.now();
        let result: R | undefined;
        let failure: unknown;
        try {
          result = await call(slot.client, signal);
        } catch (err) {
          if (isAbortError(err) || signal?.aborted) throw err instanceof LlmAbortError ? err : new LlmAbortError(signal?.reason ?? err);
          failure = err;
        }
        if (result) {
          await report({ modelKey, attempt, ok: true, usage: result.usage, costUsd: result.costUsd, durationMs: result.durationMs });
          return Object.assign(result, { attempts });
        }
        const transient = isTransientError(failure);
        const llmErr = failure instanceof LlmError ? failure : undefined;
        await report({
          modelKey, attempt, ok: false, transient,
          error: failure instanceof Error ? failure.message : String(failure),
          usage: llmErr?.usage, costUsd: llmErr?.costUsd ?? 0, durationMs: Math.round(performance.now() - started),
        });
        if (!transient || attempt > this.opts.maxRetries) break;
        await sleep(Math.min(this.opts.retryBaseDelayMs * 2 ** (attempt - 1), this.opts.retryMaxDelayMs), signal);
      }
    }
    throw new LlmExhaustedError(attempts);
  }
}
