/** Step 72: the final report (`report.html`, `report.md`) from whatever outputs exist. */
import type { StepContext, StepDef } from '../../engine/stepTypes.ts';
import { reportHtml, reportMarkdown } from '../report/reportPage.ts';
import { renderSections } from '../report/reportSections.ts';

/** The title from `wbs_level1_project_title.json` (a JSON string; an object or plain text is tolerated). */
export function reportTitle(ctx: Pick<StepContext, 'has' | 'read'>): string {
  const file = 'wbs_level1_project_title.json';
  if (!ctx.has(file)) return 'Project Plan';
  const text = ctx.read(file);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // plain text title
  }
  if (value && typeof value === 'object' && 'project_title' in value) value = (value as { project_title: unknown }).project_title;
  const title = String(value ?? '').trim();
  return title || 'Project Plan';
}

export const reportStep: StepDef = {
  name: 'Report',
  deps: [
    'Setup',
    'ScreenPlanningPrompt',
    'RedlineGate',
    'PremiseAttack',
    'ProjectPlan',
    'ConsolidateAssumptionsMarkdown',
    'SWOTAnalysis',
    'TeamMarkdown',
    'CreateWBSLevel1',
    'WBSProjectLevel1AndLevel2AndLevel3',
    'CreateSchedule',
    'ExecutiveSummary',
  ],
  llm: false,
  outputs: ['report.html', 'report.md'],
  async run(ctx) {
    const input = {
      title: reportTitle(ctx),
      subtitle: `Project plan report · project start ${ctx.startDate.toISOString().slice(0, 10)}`,
      sections: renderSections(ctx, ctx.startDate),
    };
    return { 'report.html': reportHtml(input), 'report.md': reportMarkdown(input) };
  },
};
