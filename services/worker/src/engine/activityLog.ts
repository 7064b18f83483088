import type { LlmAttempt } from '@planexe/llm';

/** Usage and cost of one run, for activity_overview.json, billing and the internal activity log. */
export class ActivityLog {
  private attempts: (LlmAttempt & { at: string })[] = [];

  add(a: LlmAttempt): void {
    this.attempts.push({ ...a, at: new Date().toISOString() });
  }

  totalCost(): number {
    return this.attempts.reduce((s, a) => s + (a.costUsd || 0), 0);
  }

  overview() {
    const models: Record<string, { total_cost: number; input_tokens: number; output_tokens: number; thinking_tokens: number; total_tokens: number; calls: number }> = {};
    let inT = 0;
    let outT = 0;
    for (const a of this.attempts) {
      const m = (models[a.modelKey] ??= { total_cost: 0, input_tokens: 0, output_tokens: 0, thinking_tokens: 0, total_tokens: 0, calls: 0 });
      const i = a.usage?.promptTokens ?? 0;
      const o = a.usage?.completionTokens ?? 0;
      m.total_cost += a.costUsd || 0;
      m.input_tokens += i;
      m.output_tokens += o;
      m.total_tokens += i + o;
      m.calls += 1;
      inT += i;
      outT += o;
    }
    return {
      last_updated: new Date().toISOString(),
      total_cost: this.totalCost(),
      total_input_tokens: inT,
      total_output_tokens: outT,
      total_thinking_tokens: 0,
      total_tokens: inT + outT,
      models,
    };
  }

  /** Raw per-attempt log; stored in plans.run_track_activity_jsonl, never in a user zip. */
  jsonl(): string {
    return this.attempts.map((a) => JSON.stringify(a)).join('\n');
  }
}
