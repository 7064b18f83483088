/** The report as one self-contained HTML page (inline CSS and a few lines of inline JS, nothing fetched) and as Markdown. */
import { escapeHtml } from './escapeHtml.ts';
import { htmlPageStart } from './htmlPage.ts';
import type { RenderedSection } from './reportSections.ts';
import { GANTT_STYLE } from '../schedule/ganttInteractive.ts';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --accent: #2f5f98; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header, nav, main { max-width: 1100px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; }
h1 { margin: 0 0 0.25rem; font-size: 1.9rem; }
.meta { color: var(--muted); margin: 0 0 0.75rem; }
.controls button { font: inherit; padding: 0.25rem 0.75rem; margin-right: 0.5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
nav.toc { margin-top: 1rem; }
nav.toc h2 { font-size: 1.1rem; margin: 0 0 0.25rem; }
nav.toc ol { columns: 2; margin: 0; }
nav.toc a { color: var(--accent); text-decoration: none; }
section { border-top: 1px solid var(--line); margin-top: 1rem; }
summary { cursor: pointer; list-style-position: outside; padding: 0.5rem 0; }
summary h2 { display: inline; font-size: 1.35rem; }
.content { padding-bottom: 1rem; }
.table-wrap, .chart { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
pre { background: var(--bg-alt); padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; }
blockquote { border-left: 3px solid var(--line); margin-left: 0; padding-left: 1rem; color: var(--muted); }
@media print { .controls, nav.toc { display: none; } details > *:not(summary) { display: block; } }
`;

const SCRIPT = `
(function () {
  function setAll(open) {
    document.querySelectorAll('main details').forEach(function (d) { d.open = open; });
  }
  document.querySelectorAll('button[data-action]').forEach(function (b) {
    b.addEventListener('click', function () { setAll(b.getAttribute('data-action') === 'expand'); });
  });
  function reveal() {
    var s = document.getElementById(location.hash.slice(1));
    var d = s && s.querySelector('details');
    if (d) d.open = true;
  }
  window.addEventListener('hashchange', reveal);
  reveal();
})();
`;

export interface ReportInput {
  title: string;
  subtitle: string;
  sections: RenderedSection[];
}

export function reportHtml(r: ReportInput): string {
  const toc = r.sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('\n');
  const body = r.sections
    .map((s) => `<section id="${s.id}">\n<details open>\n<summary><h2>${escapeHtml(s.title)}</h2></summary>\n<div class="content">\n${s.html}\n</div>\n</details>\n</section>`)
    .join('\n');
  return `${htmlPageStart({ csp: CSP, title: r.title, style: `${STYLE}${GANTT_STYLE}` })}<header>
<h1>${escapeHtml(r.title)}</h1>
<p class="meta">${escapeHtml(r.subtitle)}</p>
<div class="controls"><button type="button" data-action="expand">Expand all</button><button type="button" data-action="collapse">Collapse all</button></div>
</header>
<nav class="toc">
<h2>Contents</h2>
<ol>
${toc}
</ol>
</nav>
<main>
${body}
</main>
<script>${[SCRIPT, ...new Set(r.sections.flatMap((s) => (s.script ? [s.script] : [])))].join('\n')}</script>
</body>
</html>
`;
}

export function reportMarkdown(r: ReportInput): string {
  const parts = [`# ${r.title}`, r.subtitle, ...r.sections.map((s) => `## ${s.title}\n\n${s.markdown.trim()}`)];
  return parts.join('\n\n') + '\n';
}
