/**
 * The common shape of a one-call LLM step: read inputs, ask once, write `*_raw.json` (the answer as given) and a
 * rendered `.md` (from the answer passed through mdSafe, so model text cannot forge Markdown structure).
 */
import type { z } from 'zod';
import type { StepContext, StepDef } from '../engine/stepTypes.ts';
import { planMessages, readSources } from './promptMessages.ts';
import { mdSafe, prettyJson } from './markdownText.ts';

export interface SingleCallStep<S extends z.ZodType> {
  name: string;
  deps: string[];
  /** The JSON answer file (`*_raw.json`, or the upstream name when it differs). */
  rawFile: string;
  mdFile: string;
  /** Run files given to the model, as [file, title]; missing ones are left out. */
  inputs: ReadonlyArray<readonly [string, string]>;
  system: string;
  request: string;
  schema: S;
  render: (value: z.output<S>) => string;
  maxTokens?: number;
}

/** A StepDef for the common case. */
export function singleCallStep<S extends z.ZodType>(def: SingleCallStep<S>): StepDef {
  return {
    name: def.name,
    deps: def.deps,
    llm: true,
    outputs: [def.rawFile, def.mdFile],
    async run(ctx: StepContext) {
      const messages = planMessages(def.system, readSources(ctx, def.inputs), def.request);
      const value = await ctx.llmJson(def.schema, messages, { schemaName: def.name, maxTokens: def.maxTokens });
      return { [def.rawFile]: prettyJson(value), [def.mdFile]: def.render(mdSafe(value)) };
    },
  };
}
