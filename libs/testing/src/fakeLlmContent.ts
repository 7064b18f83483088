/** Request shapes and deterministic answer content for the fake OpenAI-compatible LLM server. */
import { pick, sampleFromSchema, seedOf, type JsonSchema } from './schemaSample.ts';

export interface ChatMessage {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  [key: string]: unknown;
}

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema' | string;
  json_schema?: { name?: string; schema?: JsonSchema; strict?: boolean };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  response_format?: ResponseFormat;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** Hook deciding the JSON Schema to answer with for a request (used when no json_schema response_format). */
export type JsonSchemaFor = (request: ChatRequest) => JsonSchema | undefined;

export function messageText(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? '').join('\n');
  return '';
}

export function lastUserMessage(req: ChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    if (req.messages[i].role === 'user') return messageText(req.messages[i]);
  }
  return '';
}

/** Rough token estimate (chars / 4), good enough for callers that record usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function usageFor(req: ChatRequest, content: string) {
  const prompt = req.messages.reduce((n, m) => n + estimateTokens(messageText(m)) + 4, 0);
  const completion = estimateTokens(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Seed that varies with the prompt: hash of the last user message. */
export function promptSeed(req: ChatRequest): string {
  return seedOf(lastUserMessage(req));
}

/** Whether the caller asked for JSON (response_format json_object / json_schema). */
export function wantsJson(req: ChatRequest): boolean {
  const t = req.response_format?.type;
  return t === 'json_object' || t === 'json_schema';
}

function looksLikeSchema(v: unknown): v is JsonSchema {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.type === 'string' || Array.isArray(o.type) || typeof o.properties === 'object' || '$schema' in o
    || Array.isArray(o.anyOf) || Array.isArray(o.oneOf);
}

/** A JSON Schema embedded in a system/user message between ```json ... ``` markers, if any. */
export function schemaFromPrompt(req: ChatRequest): JsonSchema | undefined {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role !== 'system' && m.role !== 'user') continue;
    for (const match of messageText(m).matchAll(/```json\s*\n([\s\S]*?)```/g)) {
      try {
        const parsed: unknown = JSON.parse(match[1]);
        if (looksLikeSchema(parsed)) return parsed;
      } catch {
        // not JSON: ignore this block
      }
    }
  }
  return undefined;
}

/** The schema to answer with, or undefined for a plain `{"answer": ...}` / plain-text reply. */
export function schemaForRequest(req: ChatRequest, hook?: JsonSchemaFor): JsonSchema | undefined {
  const rf = req.response_format;
  if (rf?.type === 'json_schema' && rf.json_schema?.schema !== undefined) return rf.json_schema.schema;
  const fromHook = hook?.(req);
  if (fromHook !== undefined) return fromHook;
  const mentionsJson = req.messages.some((m) => /json/i.test(messageText(m)));
  if (rf?.type === 'json_object' || mentionsJson) return schemaFromPrompt(req);
  return undefined;
}

const OPENERS = ['Here is a concise answer.', 'Short version first.', 'Based on the request, here is an outline.'];
const POINTS = [
  'Start with a small pilot to validate the main assumptions before committing the full budget.',
  'Identify the key stakeholders early and agree on a weekly review cadence.',
  'Keep a risk register and revisit it at every milestone.',
  'Break the work into phases with clear exit criteria for each one.',
  'Reserve a contingency of roughly fifteen percent for unknowns.',
  'Document decisions as they are made so the handover is painless.',
];

/** A few sentences of plain text that depend on the prompt. */
export function plainTextAnswer(req: ChatRequest, seed: string): string {
  const topic = lastUserMessage(req).replace(/\s+/g, ' ').trim().slice(0, 80) || 'the request';
  const a = pick(POINTS, seed + 'a');
  const b = pick(POINTS.filter((p) => p !== a), seed + 'b');
  return `${pick(OPENERS, seed)} Regarding "${topic}": ${a} ${b} (fake-llm ${req.model}, seed ${seed})`;
}

/** The normal (successful) answer content for a request. */
export function answerContent(req: ChatRequest, hook?: JsonSchemaFor): string {
  const seed = promptSeed(req);
  const schema = schemaForRequest(req, hook);
  if (schema !== undefined) return JSON.stringify(sampleFromSchema(schema, { seed }));
  if (wantsJson(req)) return JSON.stringify({ answer: plainTextAnswer(req, seed) });
  return plainTextAnswer(req, seed);
}

/** Content that is not valid JSON: a truncated version of the proper answer. */
export function malformedContent(good: string): string {
  const cut = good.slice(0, Math.max(1, Math.floor(good.length / 2)));
  return cut.startsWith('{') || cut.startsWith('[') ? cut : `{"answer": ${JSON.stringify(cut).slice(0, -1)}`;
}

let counter = 0;
export function completionId(): string {
  counter = (counter + 1) % 1e9;
  return `chatcmpl-fake-${Date.now().toString(36)}-${counter}`;
}

export function completionBody(req: ChatRequest, content: string) {
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: usageFor(req, content),
  };
}

/** SSE frames for a streamed completion (without the terminating `data: [DONE]`). */
export function streamChunks(req: ChatRequest, content: string): string[] {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model: req.model };
  const frame = (obj: object) => `data: ${JSON.stringify({ ...base, ...obj })}\n\n`;
  const out = [frame({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  const size = Math.max(8, Math.ceil(content.length / 4));
  for (let i = 0; i < content.length; i += size) {
    out.push(frame({ choices: [{ index: 0, delta: { content: content.slice(i, i + size) }, finish_reason: null }] }));
  }
  out.push(frame({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (req.stream_options?.include_usage) out.push(frame({ choices: [], usage: usageFor(req, content) }));
  return out;
}

export function errorBody(status: number, message: string) {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: type } };
}
