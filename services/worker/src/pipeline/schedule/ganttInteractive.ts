/**
 * The interactive Gantt chart of the report and of `schedule_gantt_dhtmlx.html`: the static SVG (works without
 * scripts and in print) plus the schedule as inline JSON and a small inline script that redraws the chart with
 * zoom and collapsible work packages. Nothing is fetched; the script builds the SVG with DOM calls and sets model
 * text only through textContent.
 */
import { escapeHtml } from '../report/escapeHtml.ts';
import { ganttSvg } from './ganttSvg.ts';
import { rowDates, type Schedule } from './scheduleModel.ts';

export interface GanttData {
  title: string;
  /** `YYYY-MM-DD` of day 0. */
  start: string;
  totalDays: number;
  rows: Array<{ id: string; parent: string | null; level: 2 | 3; title: string; start: number; duration: number; deps: string[]; estimated: boolean; from: string; to: string }>;
}

export function ganttData(s: Schedule): GanttData {
  return {
    title: s.projectTitle,
    start: s.startDate.toISOString().slice(0, 10),
    totalDays: s.totalDays,
    rows: s.rows.map((r) => {
      const d = rowDates(s, r);
      return { id: r.id, parent: r.parentId, level: r.level, title: r.title, start: r.start, duration: r.duration, deps: r.dependsOn, estimated: r.estimated, from: d.start, to: d.end };
    }),
  };
}

/** JSON that is safe inside a `<script type="application/json">` element (cannot close it or open a comment). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function ganttAppHtml(s: Schedule): string {
  const button = (action: string, label: string, title: string) => `<button type="button" data-gantt="${action}" title="${escapeHtml(title)}">${label}</button>`;
  return [
    '<div class="gantt-app">',
    `<div class="gantt-controls" role="toolbar" aria-label="Gantt chart controls">${button('zoom-out', 'Zoom out', 'Show more days')}${button('zoom-in', 'Zoom in', 'Show fewer days')}${button('fit', 'Fit', 'Fit the whole project')}${button('expand', 'Show tasks', 'Show the tasks of every work package')}${button('collapse', 'Hide tasks', 'Show work packages only')}<span class="gantt-hint">Click a work package to show or hide its tasks.</span></div>`,
    `<div class="chart gantt-view">${ganttSvg(s)}</div>`,
    `<script type="application/json" class="gantt-data">${scriptJson(ganttData(s))}</script>`,
    '</div>',
  ].join('\n');
}

export const GANTT_STYLE = `
.gantt-controls { margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
.gantt-controls button { font: inherit; font-size: 0.85rem; padding: 0.2rem 0.6rem; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; cursor: pointer; }
.gantt-hint { color: #57606a; font-size: 0.85rem; }
.gantt-view { overflow-x: auto; border: 1px solid #d9dee5; }
.gantt-view .wp { cursor: pointer; }
`;

export const GANTT_SCRIPT = `
(function () {
  var LABEL_W = 320, ROW_H = 22, HEAD_H = 34, TICKS = [1, 7, 14, 30, 61, 91, 182, 365], DAY_MS = 86400000;
  function dayDate(start, offset) {
    var p = start.split('-');
    var t = Date.UTC(+p[0], +p[1] - 1, +p[2]) + Math.floor(offset) * DAY_MS;
    return new Date(t).toISOString().slice(0, 10);
  }
  function round(n) { return Math.round(n * 10) / 10; }
  function setup(app) {
    var dataEl = app.querySelector('script.gantt-data');
    var view = app.querySelector('.gantt-view');
    var first = view && view.querySelector('svg');
    if (!dataEl || !first) return;
    var data;
    try { data = JSON.parse(dataEl.textContent || ''); } catch (e) { return; }
    var NS = first.namespaceURI;
    var collapsed = {};
    var dayW = 0;
    function node(name, attrs, text) {
      var n = document.createElementNS(NS, name);
      for (var k in attrs) n.setAttribute(k, String(attrs[k]));
      if (text !== undefined) n.textContent = text;
      return n;
    }
    function fit() {
      var avail = Math.max(300, (view.clientWidth || 900) - LABEL_W - 40);
      dayW = Math.min(28, Math.max(0.3, avail / Math.max(1, data.totalDays)));
    }
    function render() {
      var rows = data.rows.filter(function (r) { return !(r.level === 3 && collapsed[r.parent]); });
      var width = LABEL_W + Math.ceil(data.totalDays * dayW) + 80;
      var height = HEAD_H + Math.max(1, rows.length) * ROW_H + 10;
      var svg = node('svg', { 'class': 'gantt', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'font-family': 'system-ui, sans-serif' });
      svg.appendChild(node('title', {}, 'Gantt chart: ' + data.title));
      var x = function (d) { return LABEL_W + d * dayW; };
      var step = TICKS.filter(function (t) { return t * dayW >= 70; })[0] || 365;
      for (var d = 0; d <= data.totalDays; d += step) {
        svg.appendChild(node('line', { x1: round(x(d)), y1: HEAD_H - 6, x2: round(x(d)), y2: height - 6, stroke: '#d9dee5' }));
        svg.appendChild(node('text', { x: round(x(d) + 3), y: HEAD_H - 12, 'font-size': 11, fill: '#555' }, dayDate(data.start, d)));
      }
      var index = {};
      rows.forEach(function (r, i) { index[r.id] = i; });
      rows.forEach(function (r, i) {
        var top = HEAD_H + i * ROW_H;
        var g = node('g', { 'class': r.level === 2 ? 'wp' : 'task', 'data-id': r.id });
        if (i % 2 === 0) g.appendChild(node('rect', { x: 0, y: top, width: width, height: ROW_H, fill: '#f6f8fa' }));
        var hasTasks = r.level === 2 && data.rows.some(function (c) { return c.parent === r.id; });
        var mark = hasTasks ? (collapsed[r.id] ? '\\u25b8 ' : '\\u25be ') : '';
        var label = mark + r.id + ' ' + r.title;
        var max = r.level === 2 ? 40 : 46;
        if (label.length > max) label = label.slice(0, max - 1) + '\\u2026';
        g.appendChild(node('text', { x: r.level === 3 ? 22 : 6, y: top + 15, 'font-size': 12, 'font-weight': r.level === 2 ? 'bold' : 'normal', fill: '#222' }, label));
        var fill = r.level === 2 ? (r.estimated ? '#3b6ea8' : '#8a97a8') : '#9cbde3';
        var bar = node('rect', { x: round(x(r.start)), y: top + 4, width: round(Math.max(2, r.duration * dayW)), height: ROW_H - 8, rx: 3, fill: fill });
        bar.appendChild(node('title', {}, r.id + ' ' + r.title + ' \\u2014 ' + r.from + ' to ' + r.to + ' (' + round(r.duration) + ' days' + (r.estimated ? '' : ', default estimate') + ')'));
        g.appendChild(bar);
        if (hasTasks) g.addEventListener('click', function () { collapsed[r.id] = !collapsed[r.id]; render(); });
        svg.appendChild(g);
        if (r.level !== 2) return;
        r.deps.forEach(function (dep) {
          var j = index[dep];
          if (j === undefined) return;
          var from = rows[j];
          var x1 = x(from.start + from.duration), y1 = HEAD_H + j * ROW_H + ROW_H / 2, x2 = x(r.start), y2 = top + ROW_H / 2;
          svg.appendChild(node('path', { d: 'M' + round(x1) + ' ' + round(y1) + ' H' + round(Math.max(x1, x2 - 6)) + ' V' + round(y2) + ' H' + round(x2), fill: 'none', stroke: '#c0504d', 'stroke-width': 1 }));
          svg.appendChild(node('path', { d: 'M' + round(x2) + ' ' + round(y2) + ' l-5 -3 v6 z', fill: '#c0504d' }));
        });
      });
      while (view.firstChild) view.removeChild(view.firstChild);
      view.appendChild(svg);
    }
    app.querySelectorAll('button[data-gantt]').forEach(function (b) {
      b.addEventListener('click', function () {
        var a = b.getAttribute('data-gantt');
        if (a === 'zoom-in') dayW = Math.min(40, dayW * 1.5);
        else if (a === 'zoom-out') dayW = Math.max(0.2, dayW / 1.5);
        else if (a === 'fit') fit();
        else data.rows.forEach(function (r) { if (r.level === 2) collapsed[r.id] = a === 'collapse'; });
        render();
      });
    });
    fit();
    render();
  }
  document.querySelectorAll('.gantt-app').forEach(setup);
})();
`;
