/** Step 72: the final report (`report.html`, `report.md`) from whatever outputs exist. */
import type { StepContext, StepDef } from '../../engine/stepTypes.ts';
import { reportHtml, reportMarkdown } from '../report/reportPage.ts';
import { renderSections, REPORT_INPUT_FILES, TITLE_FILE } from '../report/reportSections.ts';

/** The title from `wbs_level1_project_title.json` (a JSON string; an object or plain text is tolerated), on one line. */
export function reportTitle(ctx: Pick<StepContext, 'has' | 'read'>): string {
  const file = TITLE_FILE;
  if (!ctx.has(file)) return 'Project Plan';
  const text = ctx.read(file);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // plain text title
  }
  if (value && typeof value === 'object' && 'project_title' in value) value = (value as { project_title: unknown }).project_title;
  const title = String(value ?? '').replace(/\s+/g, ' ').trim();
  return title || 'Project Plan';
}

/**
 * The report step for a graph: it depends on every step that writes a file the report reads (spec §2: "72 needs
 * everything it renders"), so the report is rendered once, from complete inputs.
 */
export function reportStep(steps: ReadonlyArray<StepDef>): StepDef {
  const wanted = new Set(REPORT_INPUT_FILES);
  return {
    name: 'Report',
    deps: steps.filter((s) => s.outputs.some((o) => wanted.has(o))).map((s) => s.name),
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
}
