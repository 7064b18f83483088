/** Token usage and cost of chat completions: the provider's numbers when reported, else estimates. */
import type { LlmTokenUsage } from './errors.ts';
import type { LlmEndpoint } from './providers.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Rough token count (chars / 4), used only when the provider reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatePromptTokens(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Reads `usage` of a chat-completions body; estimates missing numbers from the messages and the answer. */
export function readUsage(usage: unknown, messages: ChatMessage[], answer: string): LlmTokenUsage {
  const u = usage && typeof usage === 'object' ? (usage as Record<string, unknown>) : {};
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  const completion = count(u.completion_tokens) ?? count(u.output_tokens);
  const promptTokens = prompt ?? estimatePromptTokens(messages);
  const completionTokens = completion ?? estimateTokens(answer);
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    estimated: prompt === undefined || completion === undefined,
  };
}

/** The provider-reported cost in USD (OpenRouter `usage.cost`), if any. */
export function reportedCost(usage: unknown): number | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const c = (usage as Record<string, unknown>).cost;
  return typeof c === 'number' && Number.isFinite(c) && c >= 0 ? c : undefined;
}

/** Cost in USD from the profile's pricing (per million tokens); 0 when the entry has no pricing. */
export function pricedCost(ep: Pick<LlmEndpoint, 'pricing'>, usage: LlmTokenUsage): number {
  const p = ep.pricing;
  if (!p) return 0;
  const inRate = typeof p.input_per_million_tokens === 'number' ? p.input_per_million_tokens : 0;
  const outRate = typeof p.output_per_million_tokens === 'number' ? p.output_per_million_tokens : 0;
  return (usage.promptTokens * inRate + usage.completionTokens * outRate) / 1_000_000;
}

export function addUsage(a: LlmTokenUsage, b: LlmTokenUsage): LlmTokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    estimated: a.estimated || b.estimated,
  };
}
