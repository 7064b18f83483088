import { describe, it, expect } from 'vitest';
import { buildSchedule, rowDates } from '../src/pipeline/schedule/scheduleModel.ts';
import { ganttSvg } from '../src/pipeline/schedule/ganttSvg.ts';
import { scheduleCsv, scheduleHtml } from '../src/pipeline/steps/createSchedule.ts';
import type { WbsNode } from '../src/pipeline/wbsModel.ts';

const node = (id: string, title: string, children: WbsNode[] = []): WbsNode => ({ id, title, description: '', children });
const tree = node('1', 'Coffee shop', [
  node('1.1', 'Secure funding', [node('1.1.1', 'Write business plan'), node('1.1.2', 'Apply for a loan')]),
  node('1.2', 'Lease premises'),
  node('1.3', 'Obtain permits'),
  node('1.4', 'Fit out', [node('1.4.1', 'Design'), node('1.4.2', 'Build'), node('1.4.3', 'Install machines')]),
  node('1.5', 'Open <b>now</b>'),
]);
const durations = [['1.1', 30], ['1.2', 45], ['1.3', 60], ['1.4', 50]].map(([task_id, duration_days]) => ({ task_id: task_id as string, title: '', duration_days: duration_days as number, reasoning: '' }));
const start = new Date(Date.UTC(2026, 2, 9));

describe('schedule', () => {
  it('starts tasks after their predecessors, reads sloppy ids and breaks cycles against the WBS order', () => {
    const deps = {
      dependencies: [
        { task_id: '1.2', depends_on: ['1.1'], reason: '' },
        { task_id: 'Task 1.3', depends_on: ['WBS 1.2', '9.9', '1.3'], reason: '' },
        { task_id: '1.4', depends_on: ['1.3', '1.2'], reason: '' },
        { task_id: '1.5', depends_on: ['1.4'], reason: '' },
        { task_id: '1.1', depends_on: ['1.5'], reason: 'closes a cycle' },
      ],
    };
    const s = buildSchedule(tree, durations, deps, start);
    const row = (id: string) => s.rows.find((r) => r.id === id)!;
    expect(row('1.1')).toMatchObject({ start: 0, duration: 30, dependsOn: [] });
    expect(row('1.2')).toMatchObject({ start: 30, dependsOn: ['1.1'] });
    expect(row('1.3')).toMatchObject({ start: 75, dependsOn: ['1.2'] });
    expect(row('1.4')).toMatchObject({ start: 135, dependsOn: ['1.3', '1.2'] });
    // no estimate: the median of the others, flagged
    expect(row('1.5')).toMatchObject({ start: 185, duration: 50, estimated: false });
    expect(s.totalDays).toBe(235);
    // level-3 tasks share the window of their work package in whole days
    expect(s.rows.filter((r) => r.parentId === '1.4').map((r) => [r.start, r.duration])).toEqual([[135, 16], [151, 17], [168, 17]]);
    expect(rowDates(s, row('1.1'))).toEqual({ start: '2026-03-09', end: '2026-04-07' });
  });

  it('renders an escaped SVG, a standalone page without scripts and a CSV', () => {
    const s = buildSchedule(tree, durations, undefined, start);
    const svg = ganttSvg(s);
    expect(svg).toContain('1.5 Open &lt;b&gt;now&lt;/b&gt;');
    expect(svg).not.toContain('<b>');
    const html = scheduleHtml(s);
    // interactive, but self-contained: one inline script, the schedule as inert JSON, nothing loaded
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('<script type="application/json" class="gantt-data">');
    expect(html).not.toMatch(/https?:|src=|<img|<link|\bfetch\(|XMLHttpRequest/i);
    expect(html).not.toContain('<b>now</b>');
    const csv = scheduleCsv(s);
    expect(csv.split('\r\n')[1]).toBe('1.1,1,2,Secure funding,2026-03-09,2026-04-07,30,,yes');
    expect(ganttSvg(buildSchedule(node('1', 'Empty'), [], undefined, start))).toContain('No tasks');
  });
});
