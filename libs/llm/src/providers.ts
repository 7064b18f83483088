/**
 * Maps a profile entry (upstream `class` + `arguments`, spec/pipeline.md §6.3) to an OpenAI-compatible endpoint.
 */
import type { LlmEntry } from '@planexe/config';
import { LlmError } from './errors.ts';

/** How structured output is requested from a provider. */
export type StructuredOutputMode =
  | 'json_schema' // response_format {type:'json_schema', json_schema:{name, schema, strict}}
  | 'json_object' // response_format {type:'json_object'} + the schema in the prompt (Ollama)
  | 'prompt'; // no response_format; the schema in the prompt (Anthropic's OpenAI-compatible API ignores it)

export interface LlmEndpoint {
  key: string;
  providerClass: string;
  /** Base URL of the OpenAI-compatible API, without trailing slash; chat is POST {baseUrl}/chat/completions. */
  baseUrl: string;
  /** How reachability probes this endpoint: `openai` = GET {baseUrl}/models, `ollama` = GET {ollamaRoot}/api/tags. */
  probe: 'openai' | 'ollama';
  /** Ollama's native root (no /v1), for /api/tags. */
  ollamaRoot?: string;
  model: string;
  apiKey?: string;
  /** Why the endpoint cannot be called right now (missing key, unsubstituted `${VAR}`); undefined when fine. */
  apiKeyProblem?: string;
  headers: Record<string, string>;
  temperature?: number;
  maxTokens?: number;
  timeoutMs: number;
  structuredOutput: StructuredOutputMode;
  /** Strip `<think>…</think>` blocks from text answers (they are always stripped before JSON parsing). */
  stripThinking: boolean;
  /** Extra request body fields (`additional_kwargs` of the upstream profile). */
  extraBody: Record<string, unknown>;
  /** OpenRouter reports the cost itself when asked (`usage: {include: true}`). */
  reportsCost: boolean;
  pricing?: LlmEntry['pricing'];
}

export const DEFAULT_TIMEOUT_MS = 180_000;
const OLLAMA_DEFAULT = 'http://127.0.0.1:11434';
const LMSTUDIO_DEFAULT = 'http://127.0.0.1:1234/v1';

interface ProviderSpec {
  defaultBase?: string;
  /** Env var holding the key when `arguments.api_key` is absent. */
  keyEnv?: string;
  keyRequired: boolean;
  structuredOutput: StructuredOutputMode;
  stripThinking?: boolean;
  reportsCost?: boolean;
  headers?: Record<string, string>;
}

/** Supported classes, keyed by lower-cased class name. Ollama is special-cased for its base URL. */
const PROVIDERS: Record<string, ProviderSpec> = {
  openrouter: {
    defaultBase: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY', keyRequired: true,
    structuredOutput: 'json_schema', reportsCost: true,
    headers: { 'HTTP-Referer': 'https://github.com/PlanExeOrg/PlanExe', 'X-Title': 'PlanExe' },
  },
  openai: { defaultBase: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY', keyRequired: true, structuredOutput: 'json_schema' },
  // The Responses API is not spoken here: the same models answer on chat/completions of the same base.
  responsesapillm: { defaultBase: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY', keyRequired: true, structuredOutput: 'json_schema' },
  // Anthropic's OpenAI SDK compatibility endpoint; it ignores response_format, so the schema goes in the prompt.
  anthropic: { defaultBase: 'https://api.anthropic.com/v1', keyEnv: 'ANTHROPIC_API_KEY', keyRequired: true, structuredOutput: 'prompt' },
  openailike: { keyRequired: false, structuredOutput: 'json_schema' },
  thinkingawareopenailike: { keyRequired: false, structuredOutput: 'json_schema', stripThinking: true },
  lmstudio: { defaultBase: LMSTUDIO_DEFAULT, keyRequired: false, structuredOutput: 'json_schema' },
  ollama: { defaultBase: OLLAMA_DEFAULT, keyRequired: false, structuredOutput: 'json_object' },
};

export const SUPPORTED_PROVIDER_CLASSES = [
  'OpenRouter', 'OpenAI', 'Anthropic', 'OpenAILike', 'Ollama', 'LMStudio', 'ThinkingAwareOpenAILike', 'ResponsesAPILLM',
] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const isPlaceholder = (v: string): boolean => /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v);
const trimSlash = (u: string): string => u.replace(/\/+$/, '');

function configError(entry: LlmEntry, message: string): LlmError {
  return new LlmError('config', `model ${entry.key}: ${message}`, { transient: false });
}

/** Resolves the key: `arguments.api_key`, else the class's env var. Unsubstituted `${VAR}` is reported, not sent. */
function resolveKey(entry: LlmEntry, spec: ProviderSpec, env: Record<string, string | undefined>): { apiKey?: string; problem?: string } {
  const arg = str(entry.arguments.api_key);
  if (arg && isPlaceholder(arg)) return { problem: `api_key ${arg} is not set in the environment` };
  if (arg) return { apiKey: arg };
  const fromEnv = spec.keyEnv ? str(env[spec.keyEnv]) : undefined;
  if (fromEnv) return { apiKey: fromEnv };
  if (spec.keyRequired) return { problem: `no api_key argument and ${spec.keyEnv} is not set` };
  return {};
}

/**
 * The endpoint of one profile entry. Throws a permanent LlmError (kind `config`) for an unknown class,
 * an OpenAILike entry without `api_base`, or a missing model. A missing API key is not thrown here; it is
 * reported in `apiKeyProblem` (the chat client refuses to call, reachability counts it unreachable).
 */
export function resolveEndpoint(entry: LlmEntry, env: Record<string, string | undefined> = process.env): LlmEndpoint {
  const cls = entry.providerClass ?? '';
  const spec = PROVIDERS[cls.toLowerCase()];
  if (!spec) {
    throw configError(entry, `unknown provider class ${JSON.stringify(entry.providerClass)} (supported: ${SUPPORTED_PROVIDER_CLASSES.join(', ')})`);
  }
  const args = entry.arguments;
  const model = str(args.model) ?? str(args.model_name) ?? entry.model ?? undefined;
  if (!model) throw configError(entry, 'arguments.model is missing');

  const givenBase = str(args.api_base) ?? str(args.base_url);
  if (givenBase && isPlaceholder(givenBase)) throw configError(entry, `api_base ${givenBase} is not set in the environment`);
  let baseUrl: string;
  let ollamaRoot: string | undefined;
  const isOllama = cls.toLowerCase() === 'ollama';
  if (isOllama) {
    ollamaRoot = trimSlash(givenBase ?? OLLAMA_DEFAULT).replace(/\/v1$/, '').replace(/\/api$/, '');
    baseUrl = `${ollamaRoot}/v1`;
  } else {
    const base = givenBase ?? spec.defaultBase;
    if (!base) throw configError(entry, `class ${cls} requires arguments.api_base`);
    baseUrl = trimSlash(base);
  }
  if (!/^https?:\/\//i.test(baseUrl)) throw configError(entry, `api_base ${JSON.stringify(baseUrl)} is not an http(s) URL`);

  const { apiKey, problem } = resolveKey(entry, spec, env);
  const timeoutSec = num(args.timeout) ?? num(args.request_timeout);
  const extra = args.additional_kwargs;
  return {
    key: entry.key,
    providerClass: cls,
    baseUrl,
    probe: isOllama ? 'ollama' : 'openai',
    ollamaRoot,
    model,
    apiKey,
    apiKeyProblem: problem,
    headers: { ...(spec.headers ?? {}) },
    temperature: num(args.temperature),
    maxTokens: num(args.max_tokens),
    timeoutMs: timeoutSec !== undefined && timeoutSec > 0 ? Math.round(timeoutSec * 1000) : DEFAULT_TIMEOUT_MS,
    structuredOutput: spec.structuredOutput,
    stripThinking: spec.stripThinking ?? false,
    extraBody: extra && typeof extra === 'object' && !Array.isArray(extra) ? { ...(extra as Record<string, unknown>) } : {},
    reportsCost: spec.reportsCost ?? false,
    pricing: entry.pricing,
  };
}

/** Request headers for an endpoint (JSON + bearer key when there is one). */
export function endpointHeaders(ep: LlmEndpoint): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...ep.headers };
  if (ep.apiKey) h.authorization = `Bearer ${ep.apiKey}`;
  if (ep.apiKey && ep.providerClass.toLowerCase() === 'anthropic') h['x-api-key'] = ep.apiKey;
  return h;
}
