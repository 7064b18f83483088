import { urls } from '@planexe/contracts';
import { listExamplePlans } from '@planexe/db';
import type { ToolContext, ToolDeps } from '../deps.ts';

/** Completed plans published on this deployment (plans.is_example), served by the public /examples routes. */
export async function examplePlans(deps: ToolDeps, _args: unknown, ctx: ToolContext) {
  const rows = await listExamplePlans(deps.db, 10);
  const base = ctx.baseUrl ?? '';
  const plans = rows.map((r) => ({
    title: r.title ?? r.prompt.slice(0, 60).trim(),
    report_url: urls.example(base, r.id, 'report.html'),
    zip_url: urls.example(base, r.id, 'run.zip'),
    plan_id: r.id,
  }));
  const message = plans.length
    ? 'These are finished plans published on this server. Open a report_url in a browser: the report is interactive ' +
      'HTML with collapsible sections and a Gantt chart. Each zip_url holds the intermediate md/json/csv files.'
    : 'No example plans are published on this server yet. Call example_prompts to see what a good prompt looks like; ' +
      'an operator can publish a finished plan with `npx planexe admin example <plan_id>`.';
  return { plans, message };
}
