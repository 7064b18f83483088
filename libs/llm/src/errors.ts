/**
 * Error types of the LLM layer and the transient/permanent classification of spec/pipeline.md §6.4.
 */

/** Lower-cased substrings that mark an error as transient (spec/pipeline.md §6.4). */
export const TRANSIENT_MARKERS = [
  'rate limit', 'rate_limit', 'ratelimit', '429', 'timeout', 'timed out', 'connection', 'connect',
  'temporarily unavailable', '503', '502', '500', 'overloaded', 'capacity', 'try again', 'server error',
  'internal error', 'nonetype', "'none' object", "none' object is not",
] as const;

export function isTransientText(text: string): boolean {
  const t = text.toLowerCase();
  return TRANSIENT_MARKERS.some((m) => t.includes(m));
}

export type LlmErrorKind =
  | 'http' // non-2xx answer (status set)
  | 'network' // connection refused/reset, DNS, socket closed
  | 'timeout' // the per-model timeout fired
  | 'bad_response' // 2xx with an unreadable body, no choices or empty content
  | 'invalid_output' // the answer did not parse/validate, even after the repair retry
  | 'config'; // the profile entry cannot be used (unknown class, missing api_base or key)

export interface LlmTokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** true when the provider reported no usage and the numbers are a chars/4 estimate. */
  estimated: boolean;
}

/** A failed call to one model. `transient` decides between "retry the same model" and "next model". */
export class LlmError extends Error {
  readonly code = 'LLM_CALL_FAILED';
  readonly kind: LlmErrorKind;
  readonly status?: number;
  readonly transient: boolean;
  /** Tokens spent before failing (e.g. an invalid answer plus its repair), if any. */
  usage?: LlmTokenUsage;
  costUsd?: number;

  constructor(kind: LlmErrorKind, message: string, opts: { status?: number; transient?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.status = opts.status;
    this.transient = opts.transient ?? defaultTransient(kind, message, opts.status);
  }
}

function defaultTransient(kind: LlmErrorKind, message: string, status?: number): boolean {
  if (kind === 'config' || kind === 'invalid_output') return false;
  if (kind === 'network' || kind === 'timeout' || kind === 'bad_response') return true;
  if (status !== undefined && (status === 408 || status === 429 || status >= 500)) return true;
  return isTransientText(message);
}

/** The caller aborted (plan stop): no further retries or fallbacks. `name` is 'AbortError' like DOM aborts. */
export class LlmAbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(reason?: unknown) {
    super(reason instanceof Error && reason.message ? `aborted: ${reason.message}` : typeof reason === 'string' ? `aborted: ${reason}` : 'aborted');
    this.name = 'AbortError';
    if (reason !== undefined) (this as { cause?: unknown }).cause = reason;
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Throws LlmAbortError when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LlmAbortError(signal.reason);
}

/** Transient unless it is an LlmError marked permanent; unknown errors are judged by their text. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof LlmError) return err.transient;
  return isTransientText(err instanceof Error ? `${err.name} ${err.message}` : String(err));
}

/** One attempt of one interaction, as reported to `onAttempt` and listed by LlmExhaustedError. */
export interface LlmAttempt {
  modelKey: string;
  /** 1-based attempt number on this model within the interaction. */
  attempt: number;
  ok: boolean;
  /** Error text when ok is false. */
  error?: string;
  transient?: boolean;
  usage?: LlmTokenUsage;
  costUsd: number;
  durationMs: number;
}

/** Every model of the run failed for one interaction; `attempts` lists each try in order. */
export class LlmExhaustedError extends Error {
  readonly code = 'LLM_EXHAUSTED';
  readonly attempts: LlmAttempt[];

  constructor(attempts: LlmAttempt[]) {
    const models = [...new Set(attempts.map((a) => a.modelKey))];
    const lines = attempts.map((a) => `${a.modelKey} #${a.attempt}: ${a.error ?? 'failed'}`);
    super(`all ${models.length} model(s) failed: ${lines.join('; ') || 'no models configured'}`);
    this.name = 'LlmExhaustedError';
    this.attempts = attempts;
  }
}
