import type { z } from 'zod';
import type { SpeedVsDetail } from '@planexe/contracts';
import type { ChatMessage } from '@planexe/llm';

/** What a step sees while it runs. */
export interface StepContext {
  planId: string;
  /** The user's prompt, as stored. */
  prompt: string;
  /** Project start (from start_date, else the run's start), UTC. */
  startDate: Date;
  speed: SpeedVsDetail;
  /** Aborted when the plan is stopped (or the worker shuts down): pass it on, stop early. */
  signal: AbortSignal;
  /** A file produced earlier in this run (or restored on resume). Throws when it does not exist. */
  read(name: string): string;
  readJson<T = unknown>(name: string): T;
  has(name: string): boolean;
  /** One structured LLM interaction through the run's model list (fallback, retries, usage recorded). */
  llmJson<S extends z.ZodType>(schema: S, messages: ChatMessage[], opts?: { schemaName?: string; maxTokens?: number }): Promise<z.output<S>>;
  /** One plain-text LLM interaction. */
  llmText(messages: ChatMessage[], opts?: { maxTokens?: number }): Promise<string>;
}

export type StepOutputs = Record<string, string | Uint8Array>;

/**
 * One node of the pipeline graph. A step whose declared outputs all exist is skipped (that is what resume
 * is); otherwise it runs and must return every declared output (it may return extra files too).
 */
export interface StepDef {
  /** Upstream class name without `Task`, e.g. `SWOTAnalysis`; the label derives from it. */
  name: string;
  /** Output file names (spec/pipeline.md §2), the expected files of progress. */
  outputs: string[];
  /** Names of steps whose outputs this one reads. */
  deps: string[];
  /** Whether the step calls the LLM (only those report progress per attempt). */
  llm: boolean;
  run(ctx: StepContext): Promise<StepOutputs>;
}

/** `SWOTAnalysisTask` → `SWOT Analysis` (spec/pipeline.md §5.3). */
export function stepLabel(name: string): string {
  return name
    .replace(/Task$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
}
