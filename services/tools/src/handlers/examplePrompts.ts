import type { ToolDeps } from '../deps.ts';

export async function examplePrompts(deps: ToolDeps) {
  return {
    samples: deps.examplePrompts,
    message:
      'Next step (no tool call): use these samples as a baseline and draft a detailed prompt of about 300-800 words in ' +
      'flowing prose, not markdown headings or bullet lists. Cover objective, scope, constraints, timeline, stakeholders, ' +
      'budget/resources and success criteria; weave banned words or approaches and governance preferences into the text. ' +
      'Show the draft to the user and get approval; only then call plan_create. PlanExe is not for tiny one-shot ' +
      'requests, and the pipeline always runs in full.',
  };
}
