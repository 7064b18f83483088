/**
 * Step 67: the schedule as a self-contained HTML page with an interactive Gantt chart (inline SVG redrawn by an
 * inline script for zoom and collapsible work packages; file name kept from the upstream dhtmlx version for
 * compatibility; nothing is fetched) and as CSV.
 */
import type { StepDef } from '../../engine/stepTypes.ts';
import { toCsv } from '../csvText.ts';
import { escapeHtml } from '../report/escapeHtml.ts';
import { htmlPageStart } from '../report/htmlPage.ts';
import { ganttAppHtml, GANTT_SCRIPT, GANTT_STYLE } from '../schedule/ganttInteractive.ts';
import { readSchedule, rowDates, SCHEDULE_HEADERS, scheduleRows, type Schedule } from '../schedule/scheduleModel.ts';

export function scheduleCsv(s: Schedule): string {
  return toCsv(
    ['id', 'parent_id', 'level', 'title', 'start_date', 'end_date', 'duration_days', 'depends_on', 'estimated'],
    s.rows.map((r) => {
      const d = rowDates(s, r);
      return [r.id, r.parentId ?? '', r.level, r.title, d.start, d.end, Math.round(r.duration * 10) / 10, r.dependsOn.join(' '), r.estimated ? 'yes' : 'no'];
    }),
  );
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const SCHEDULE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin-top: 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d9dee5; padding: 0.25rem 0.5rem; text-align: left; }
`;

export function scheduleHtml(s: Schedule): string {
  const rows = scheduleRows(s)
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `${htmlPageStart({ csp: CSP, title: `Schedule: ${s.projectTitle}`, style: `${SCHEDULE_STYLE}${GANTT_STYLE}` })}<h1>${escapeHtml(s.projectTitle)}</h1>
${ganttAppHtml(s)}
<table><thead><tr>${SCHEDULE_HEADERS.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
<script>${GANTT_SCRIPT}</script>
</body>
</html>
`;
}

export const createScheduleStep: StepDef = {
  name: 'CreateSchedule',
  deps: ['CreateWBSLevel1', 'IdentifyTaskDependencies', 'EstimateTaskDurations', 'WBSProjectLevel1AndLevel2AndLevel3'],
  llm: false,
  outputs: ['schedule_gantt_dhtmlx.html', 'schedule_gantt_machai.csv'],
  async run(ctx) {
    const s = readSchedule(ctx, ctx.startDate);
    if (!s) throw new Error('no work breakdown structure to schedule');
    return { 'schedule_gantt_dhtmlx.html': scheduleHtml(s), 'schedule_gantt_machai.csv': scheduleCsv(s) };
  },
};
