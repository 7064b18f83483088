/**
 * One client for every OpenAI-compatible chat-completions endpoint: plain text and zod-validated JSON answers.
 */
import type { z } from 'zod';
import type { LlmEntry } from '@planexe/config';
import { LlmError, type LlmTokenUsage } from './errors.ts';
import { postChat, type FetchLike } from './httpChat.ts';
import { checkJsonAnswer, jsonSchemaOf, repairMessages, schemaInstruction, schemaName, stripThinking } from './jsonAnswer.ts';
import { resolveEndpoint, type LlmEndpoint } from './providers.ts';
import { addUsage, type ChatMessage } from './usage.ts';

export interface CompleteOptions {
  /** The caller's signal (plan stop). Aborting it rejects with an AbortError at once. */
  signal?: AbortSignal;
  /** Overrides the entry's `timeout` argument for this call. */
  timeoutMs?: number;
  temperature?: number;
  maxTokens?: number;
}

export interface CompleteJsonOptions extends CompleteOptions {
  /** json_schema.name sent to the provider (sanitised to [a-zA-Z0-9_-]). Default `response`. */
  schemaName?: string;
  /** json_schema.strict. Default true. */
  strict?: boolean;
}

export interface CompletionMeta {
  modelKey: string;
  model: string;
  usage: LlmTokenUsage;
  costUsd: number;
  durationMs: number;
}

export interface TextCompletion extends CompletionMeta {
  text: string;
}

export interface JsonCompletion<T> extends CompletionMeta {
  value: T;
  /** The raw text of the accepted answer. */
  raw: string;
  /** true when the first answer failed and the repair retry produced the accepted one. */
  repaired: boolean;
}

export interface ChatClientOptions {
  env?: Record<string, string | undefined>;
  fetch?: FetchLike;
}

export class ChatClient {
  readonly endpoint: LlmEndpoint;
  private readonly fetchImpl?: FetchLike;

  /** Throws a permanent LlmError (kind `config`) when the entry cannot be mapped to an endpoint. */
  constructor(target: LlmEntry | LlmEndpoint, options: ChatClientOptions = {}) {
    this.endpoint = 'baseUrl' in target ? target : resolveEndpoint(target, options.env);
    this.fetchImpl = options.fetch;
  }

  get modelKey(): string {
    return this.endpoint.key;
  }

  private baseBody(messages: ChatMessage[], opts: CompleteOptions): Record<string, unknown> {
    const ep = this.endpoint;
    const body: Record<string, unknown> = { ...ep.extraBody, model: ep.model, messages, stream: false };
    const temperature = opts.temperature ?? ep.temperature;
    const maxTokens = opts.maxTokens ?? ep.maxTokens;
    if (temperature !== undefined) body.temperature = temperature;
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    if (ep.reportsCost) body.usage = { include: true };
    return body;
  }

  private call(body: Record<string, unknown>, messages: ChatMessage[], opts: CompleteOptions) {
    return postChat(this.endpoint, body, messages, { signal: opts.signal, timeoutMs: opts.timeoutMs, fetch: this.fetchImpl });
  }

  async completeText(messages: ChatMessage[], opts: CompleteOptions = {}): Promise<TextCompletion> {
    const r = await this.call(this.baseBody(messages, opts), messages, opts);
    const text = this.endpoint.stripThinking ? stripThinking(r.content) : r.content;
    return { text, modelKey: this.endpoint.key, model: this.endpoint.model, usage: r.usage, costUsd: r.costUsd, durationMs: r.durationMs };
  }

  /**
   * Asks for JSON matching `schema` and validates the answer. When the answer does not parse or validate, sends
   * it back once with the validation error; a second bad answer throws a permanent LlmError (kind
   * `invalid_output`) carrying the usage of both calls.
   */
  async completeJson<S extends z.ZodType>(schema: S, messages: ChatMessage[], opts: CompleteJsonOptions = {}): Promise<JsonCompletion<z.output<S>>> {
    const ep = this.endpoint;
    const js = jsonSchemaOf(schema);
    const asked = ep.structuredOutput === 'json_schema' ? messages : [schemaInstruction(js), ...messages];
    const shape = (msgs: ChatMessage[]): Record<string, unknown> => {
      const body = this.baseBody(msgs, opts);
      if (ep.structuredOutput === 'json_schema') {
        body.response_format = { type: 'json_schema', json_schema: { name: schemaName(opts.schemaName), schema: js, strict: opts.strict ?? true } };
      } else if (ep.structuredOutput === 'json_object') {
        body.response_format = { type: 'json_object' };
      }
      return body;
    };

    const first = await this.call(shape(asked), asked, opts);
    const firstCheck = checkJsonAnswer(schema, first.content);
    const meta = { modelKey: ep.key, model: ep.model };
    if (firstCheck.ok) {
      return { ...meta, value: firstCheck.value, raw: first.content, repaired: false, usage: first.usage, costUsd: first.costUsd, durationMs: first.durationMs };
    }

    const retryMsgs = repairMessages(asked, first.content, firstCheck.error);
    let second;
    try {
      second = await this.call(shape(retryMsgs), retryMsgs, opts);
    } catch (err) {
      if (err instanceof LlmError) {
        err.usage = err.usage ? addUsage(first.usage, err.usage) : first.usage;
        err.costUsd = first.costUsd + (err.costUsd ?? 0);
      }
      throw err;
    }
    const usage = addUsage(first.usage, second.usage);
    const costUsd = first.costUsd + second.costUsd;
    const durationMs = first.durationMs + second.durationMs;
    const secondCheck = checkJsonAnswer(schema, second.content);
    if (secondCheck.ok) {
      return { ...meta, value: secondCheck.value, raw: second.content, repaired: true, usage, costUsd, durationMs };
    }
    const err = new LlmError('invalid_output', `${ep.key}: invalid JSON answer after one repair retry: ${secondCheck.error}`, { transient: false });
    err.usage = usage;
    err.costUsd = costUsd;
    throw err;
  }
}
