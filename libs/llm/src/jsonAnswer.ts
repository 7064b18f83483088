/** Reading a JSON answer out of model text, and the prompts that ask for (corrected) JSON. */
import { z } from 'zod';
import type { ChatMessage } from './usage.ts';

/** Removes `<think>…</think>` blocks (reasoning models) and a dangling unterminated one. */
export function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/^[\s\S]*<\/think>/i, '').trim();
}

/**
 * Parses the JSON value in an answer: the whole text, else the inside of a ```json fence, else the span from the
 * first `{`/`[` to the last `}`/`]`. Throws a SyntaxError with a short reason when none parses.
 */
export function extractJson(text: string): unknown {
  const t = stripThinking(text);
  const candidates = [t];
  const fence = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(t);
  if (fence) candidates.push(fence[1].trim());
  const start = t.search(/[{[]/);
  const end = Math.max(t.lastIndexOf('}'), t.lastIndexOf(']'));
  if (start >= 0 && end > start) candidates.push(t.slice(start, end + 1));
  let firstError: unknown;
  for (const c of candidates) {
    try {
      return JSON.parse(c);
    } catch (err) {
      firstError ??= err;
    }
  }
  throw new SyntaxError(`answer is not valid JSON: ${firstError instanceof Error ? firstError.message : 'no JSON found'}`);
}

export type JsonCheck<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses and validates an answer with a zod schema; the error text is meant to be shown back to the model. */
export function checkJsonAnswer<S extends z.ZodType>(schema: S, text: string): JsonCheck<z.output<S>> {
  let data: unknown;
  try {
    data = extractJson(text);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const issues = r.error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return { ok: false, error: `answer does not match the schema: ${issues.join('; ')}` };
}

/** JSON Schema of a zod schema, without the `$schema` key (some providers reject it). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/** OpenAI requires `^[a-zA-Z0-9_-]{1,64}$` for json_schema.name. */
export function schemaName(name: string | undefined): string {
  const n = (name ?? 'response').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return n || 'response';
}

/** System message carrying the schema, for providers without json_schema response_format. */
export function schemaInstruction(jsonSchema: Record<string, unknown>): ChatMessage {
  return {
    role: 'system',
    content: `Reply with only a JSON value (no prose, no code fences) that matches this JSON Schema:\n\`\`\`json\n${JSON.stringify(jsonSchema, null, 2)}\n\`\`\``,
  };
}

/** The repair turn: the bad answer as the assistant, then the validation error and a request for corrected JSON. */
export function repairMessages(messages: ChatMessage[], badAnswer: string, error: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: badAnswer },
    {
      role: 'user',
      content: `Your previous answer could not be used: ${error}\nReply again with only the corrected JSON that matches the schema, and nothing else.`,
    },
  ];
}
