/**
 * Runs a step list one step at a time against an in-memory file map, with a caller-supplied model. For tests and
 * local experiments with prompts and renderers; the engine (planRunner) is what runs plans for real.
 */
import type { z } from 'zod';
import type { SpeedVsDetail } from '@planexe/contracts';
import type { ChatMessage } from '@planexe/llm';
import { inputFiles } from '../engine/runContext.ts';
import { stepContext } from '../engine/stepContext.ts';
import type { StepDef } from '../engine/stepTypes.ts';

export interface MemoryRunOptions {
  prompt: string;
  speed?: SpeedVsDetail;
  startDate?: Date;
  /** Produces the model's JSON for one structured interaction; the result is validated with the step's schema. */
  answer: (schema: z.ZodType, messages: ChatMessage[], step: string) => unknown | Promise<unknown>;
  /** Produces the model's text for a plain interaction (default: a fixed sentence). */
  answerText?: (messages: ChatMessage[], step: string) => string | Promise<string>;
}

export interface MemoryRun {
  files: Map<string, string>;
  /** File names each step returned (declared outputs plus extras), by step name. */
  returned: Map<string, string[]>;
  /** Model interactions, in order. */
  calls: Array<{ step: string; messages: ChatMessage[] }>;
}

const decoder = new TextDecoder();

export async function runInMemory(steps: ReadonlyArray<StepDef>, opts: MemoryRunOptions): Promise<MemoryRun> {
  const startDate = opts.startDate ?? new Date(Date.UTC(2026, 2, 9));
  const files = new Map<string, string>(Object.entries(inputFiles(opts.prompt, startDate, startDate)));
  const run: MemoryRun = { files, returned: new Map(), calls: [] };
  const done = new Set<string>();
  for (const step of steps) {
    const missing = step.deps.filter((d) => !done.has(d));
    if (missing.length) throw new Error(`${step.name} runs before its dependencies ${missing.join(', ')}`);
    const ctx = stepContext(
      {
        planId: 'memory-run',
        prompt: opts.prompt,
        startDate,
        speed: opts.speed ?? 'all_details_but_slow',
        signal: new AbortController().signal,
        has: (n) => files.has(n),
        llmJson: async (schema, messages) => {
          run.calls.push({ step: step.name, messages });
          return schema.parse(await opts.answer(schema, messages, step.name));
        },
        llmText: async (messages) => {
          run.calls.push({ step: step.name, messages });
          return opts.answerText ? opts.answerText(messages, step.name) : 'OK';
        },
      },
      (n) => files.get(n),
    );
    const out = await step.run(ctx);
    for (const [name, value] of Object.entries(out)) files.set(name, typeof value === 'string' ? value : decoder.decode(value));
    run.returned.set(step.name, Object.keys(out));
    done.add(step.name);
  }
  return run;
}
