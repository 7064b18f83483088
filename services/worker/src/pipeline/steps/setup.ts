/** Step 2: renders the prompt into `plan.txt`, the text most later steps start from (spec/pipeline.md §1). */
import type { StepDef } from '../../engine/stepTypes.ts';

interface PlanRaw {
  plan_prompt: string;
  pretty_date: string;
}

/** Same layout as upstream's plan file, so prompts and old snapshots read alike. */
export function planText(prompt: string, prettyDate: string): string {
  return ['Plan:', prompt, '', "Today's date:", prettyDate, '', 'Project start ASAP'].join('\n');
}

export const setupStep: StepDef = {
  name: 'Setup',
  deps: [],
  llm: false,
  outputs: ['plan.txt'],
  async run(ctx) {
    const raw = ctx.has('plan_raw.json') ? ctx.readJson<PlanRaw>('plan_raw.json') : undefined;
    const prompt = raw?.plan_prompt ?? ctx.prompt;
    const date = raw?.pretty_date ?? ctx.startDate.toISOString().slice(0, 10);
    return { 'plan.txt': planText(prompt, date) };
  },
};
