/**
 * One POST {base}/chat/completions with the caller's signal combined with the per-model timeout.
 * Turns every failure into an LlmError (classified) or an LlmAbortError (the caller aborted).
 */
import { LlmAbortError, LlmError, throwIfAborted, type LlmTokenUsage } from './errors.ts';
import { endpointHeaders, type LlmEndpoint } from './providers.ts';
import { pricedCost, readUsage, reportedCost, type ChatMessage } from './usage.ts';

export type FetchLike = typeof fetch;

export interface RawChatResult {
  content: string;
  usage: LlmTokenUsage;
  costUsd: number;
  durationMs: number;
  finishReason?: string;
}

export interface PostChatOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** `{"error":{"message"}}`, `{"error":"..."}`, `{"message"}` or the raw text (shortened). */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const e = body.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).message === 'string') {
      return (e as Record<string, string>).message;
    }
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300) || '(empty body)';
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : '')).join('');
  }
  return undefined;
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return `connection error: ${detail}`;
}

export async function postChat(ep: LlmEndpoint, body: Record<string, unknown>, messages: ChatMessage[], opts: PostChatOptions = {}): Promise<RawChatResult> {
  throwIfAborted(opts.signal);
  if (ep.apiKeyProblem) throw new LlmError('config', `model ${ep.key}: ${ep.apiKeyProblem}`, { transient: false });
  const timeoutMs = opts.timeoutMs ?? ep.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const started = performance.now();
  const doFetch = opts.fetch ?? fetch;

  let status: number;
  let text: string;
  try {
    const res = await doFetch(`${ep.baseUrl}/chat/completions`, {
      method: 'POST', headers: endpointHeaders(ep), body: JSON.stringify(body), signal,
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (opts.signal?.aborted) throw new LlmAbortError(opts.signal.reason);
    if (timeout.aborted) {
      throw new LlmError('timeout', `request to ${ep.key} timed out after ${(timeoutMs / 1000).toFixed(1)}s`, { cause: err });
    }
    throw new LlmError('network', `${ep.key}: ${describeNetworkError(err)}`, { cause: err });
  }
  const durationMs = Math.round(performance.now() - started);

  if (status < 200 || status > 299) {
    throw new LlmError('http', `${ep.key}: HTTP ${status}: ${errorMessage(text)}`, { status });
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new LlmError('bad_response', `${ep.key}: response body is not valid JSON (${text.length} bytes)`);
  }
  const choices = Array.isArray(parsed.choices) ? (parsed.choices as Array<Record<string, unknown>>) : [];
  if (choices.length === 0) {
    // Some gateways (OpenRouter) answer 200 with an error object when the upstream provider failed.
    const e = parsed.error as Record<string, unknown> | undefined;
    if (e) {
      const code = typeof e.code === 'number' ? e.code : undefined;
      throw new LlmError('http', `${ep.key}: provider error${code ? ` ${code}` : ''}: ${errorMessage(text)}`, { status: code });
    }
    throw new LlmError('bad_response', `${ep.key}: response has no choices`);
  }
  const message = (choices[0].message ?? {}) as Record<string, unknown>;
  const content = contentText(message.content);
  if (content === undefined || content.trim() === '') {
    // Upstream surfaced this as "'NoneType' object ..." which it treats as transient.
    throw new LlmError('bad_response', `${ep.key}: empty answer (content is None), finish_reason=${String(choices[0].finish_reason)}`);
  }
  const usage = readUsage(parsed.usage, messages, content);
  const costUsd = reportedCost(parsed.usage) ?? pricedCost(ep, usage);
  const finishReason = typeof choices[0].finish_reason === 'string' ? choices[0].finish_reason : undefined;
  return { content, usage, costUsd, durationMs, finishReason };
}
