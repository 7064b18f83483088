/** An inline SVG Gantt chart of a schedule: no scripts, no external resources, every label escaped. */
import { escapeHtml } from '../report/escapeHtml.ts';
import { dayDate, rowDates, type Schedule } from './scheduleModel.ts';

const LABEL_W = 320;
const ROW_H = 22;
const HEAD_H = 34;
const CHART_W = 900;
const TICK_STEPS = [1, 7, 14, 30, 61, 91, 182, 365];

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const num = (n: number) => String(Math.round(n * 10) / 10);

export function ganttSvg(s: Schedule): string {
  const dayW = Math.min(28, Math.max(0.5, CHART_W / s.totalDays));
  const width = LABEL_W + Math.ceil(s.totalDays * dayW) + 80;
  const height = HEAD_H + Math.max(1, s.rows.length) * ROW_H + 10;
  const x = (day: number) => LABEL_W + day * dayW;
  const y = (i: number) => HEAD_H + i * ROW_H;
  const parts: string[] = [];
  const step = TICK_STEPS.find((t) => t * dayW >= 70) ?? 365;
  for (let d = 0; d <= s.totalDays; d += step) {
    parts.push(`<line x1="${num(x(d))}" y1="${HEAD_H - 6}" x2="${num(x(d))}" y2="${height - 6}" stroke="#d9dee5"/>`);
    parts.push(`<text x="${num(x(d) + 3)}" y="${HEAD_H - 12}" font-size="11" fill="#555">${escapeHtml(dayDate(s.startDate, d))}</text>`);
  }
  if (!s.rows.length) parts.push(`<text x="10" y="${HEAD_H + 15}" font-size="12">No tasks in the work breakdown structure.</text>`);
  const index = new Map(s.rows.map((r, i) => [r.id, i]));
  s.rows.forEach((r, i) => {
    const top = y(i);
    if (i % 2 === 0) parts.push(`<rect x="0" y="${top}" width="${width}" height="${ROW_H}" fill="#f6f8fa"/>`);
    const indent = r.level === 3 ? 18 : 6;
    const weight = r.level === 2 ? ' font-weight="bold"' : '';
    const label = truncate(`${r.id} ${r.title}`, r.level === 3 ? 44 : 40);
    parts.push(`<text x="${indent}" y="${top + 15}" font-size="12"${weight} fill="#222">${escapeHtml(label)}</text>`);
    const { start, end } = rowDates(s, r);
    const tip = `${r.id} ${r.title} — ${start} to ${end} (${num(r.duration)} days${r.estimated ? '' : ', default estimate'})`;
    const fill = r.level === 2 ? (r.estimated ? '#3b6ea8' : '#8a97a8') : '#9cbde3';
    parts.push(
      `<rect x="${num(x(r.start))}" y="${top + 4}" width="${num(Math.max(2, r.duration * dayW))}" height="${ROW_H - 8}" rx="3" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>`,
    );
    if (r.level !== 2) return;
    for (const dep of r.dependsOn) {
      const j = index.get(dep);
      if (j === undefined) continue;
      const from = s.rows[j];
      const x1 = x(from.start + from.duration);
      const y1 = y(j) + ROW_H / 2;
      const x2 = x(r.start);
      const y2 = top + ROW_H / 2;
      parts.push(`<path d="M${num(x1)} ${num(y1)} H${num(Math.max(x1, x2 - 6))} V${num(y2)} H${num(x2)}" fill="none" stroke="#c0504d" stroke-width="1"/>`);
      parts.push(`<path d="M${num(x2)} ${num(y2)} l-5 -3 v6 z" fill="#c0504d"/>`);
    }
  });
  return (
    `<svg class="gantt" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`Gantt chart: ${s.projectTitle}`)}" font-family="system-ui, sans-serif">` +
    parts.join('') +
    '</svg>'
  );
}
