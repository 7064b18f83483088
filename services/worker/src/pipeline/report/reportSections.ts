/**
 * The report's sections in the order of spec/pipeline.md §7. A section is rendered only when its input files
 * exist, so steps added later appear in the report without changes here (their step must become a dependency of
 * Report). Everything is rendered through Markdown, so model text reaches HTML only via the escaping renderer.
 */
import type { StepContext } from '../../engine/stepTypes.ts';
import { mdTable } from '../markdownText.ts';
import { ganttAppHtml, GANTT_SCRIPT } from '../schedule/ganttInteractive.ts';
import { readSchedule, SCHEDULE_FILES, SCHEDULE_HEADERS, scheduleRows } from '../schedule/scheduleModel.ts';
import { flattenWbs, type WbsNode } from '../wbsModel.ts';
import { markdownToHtml } from './markdownHtml.ts';
import { escapeHtml } from './escapeHtml.ts';

export type ReportReader = Pick<StepContext, 'has' | 'read' | 'readJson'>;

interface Part {
  file: string;
  /** Sub-heading when a section combines several files. */
  heading?: string;
  /** `text` files are shown verbatim (preformatted), not parsed as Markdown. */
  kind?: 'markdown' | 'text';
}

export interface SectionDef {
  id: string;
  title: string;
  parts: Part[];
  /** Computed sections: rendered from JSON outputs instead of a Markdown file (present when `parts` exist). */
  special?: 'gantt' | 'wbs';
}

const md = (id: string, title: string, file: string): SectionDef => ({ id, title, parts: [{ file }] });

export const REPORT_SECTIONS: SectionDef[] = [
  md('executive-summary', 'Executive Summary', 'executive_summary.md'),
  { id: 'gantt', title: 'Gantt Interactive', parts: [{ file: 'schedule_gantt_dhtmlx.html' }], special: 'gantt' },
  md('pitch', 'Pitch', 'pitch.md'),
  md('project-plan', 'Project Plan', 'project_plan.md'),
  md('strategic-decisions', 'Strategic Decisions', 'strategic_decisions.md'),
  md('scenarios', 'Scenarios', 'scenarios.md'),
  md('assumptions', 'Assumptions', 'consolidate_assumptions_full.md'),
  md('governance', 'Governance', 'consolidate_governance.md'),
  md('related-resources', 'Related Resources', 'related_resources.md'),
  md('data-collection', 'Data Collection', 'data_collection.md'),
  md('documents', 'Documents to Create and Find', 'documents_to_create_and_find.md'),
  md('swot', 'SWOT Analysis', 'swot_analysis.md'),
  md('team', 'Team', 'team.md'),
  md('expert-criticism', 'Expert Criticism', 'expert_criticism.md'),
  { id: 'wbs', title: 'Work Breakdown Structure', parts: [{ file: 'wbs_project_level1_and_level2_and_level3.csv' }], special: 'wbs' },
  md('review-plan', 'Review Plan', 'review_plan.md'),
  md('questions-and-answers', 'Questions & Answers', 'questions_and_answers.md'),
  md('premortem', 'Premortem', 'premortem.md'),
  md('self-audit', 'Self Audit', 'self_audit.md'),
  {
    id: 'initial-prompt-vetted',
    title: 'Initial Prompt Vetted',
    parts: [
      { file: 'plan.txt', heading: 'Plan', kind: 'text' },
      { file: 'screen_planning_prompt.md', heading: 'Prompt Screening' },
      { file: 'redline_gate.md', heading: 'Redline Gate' },
      { file: 'premise_attack.md', heading: 'Premise Attack' },
    ],
  },
  md('prompt-adherence', 'Prompt Adherence', 'prompt_adherence.md'),
];

/** The title of the report. */
export const TITLE_FILE = 'wbs_level1_project_title.json';

/** Every run file the report reads: the Report step depends on the steps that write them (spec §2: "72 needs everything it renders"). */
export const REPORT_INPUT_FILES: string[] = [
  ...new Set([TITLE_FILE, ...REPORT_SECTIONS.flatMap((s) => s.parts.map((p) => p.file)), ...SCHEDULE_FILES, 'wbs_project_level1_and_level2_and_level3.json']),
];

export interface RenderedSection {
  id: string;
  title: string;
  html: string;
  markdown: string;
  /** Inline script the section needs (the page includes each distinct one once). */
  script?: string;
}

/** Adds `by` levels to the ATX headings of a Markdown text (max 6). */
export function shiftMarkdownHeadings(text: string, by: number): string {
  return text.replace(/^(#{1,6})(?=\s)/gm, (h) => '#'.repeat(Math.min(6, h.length + by)));
}

function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function ganttSection(r: ReportReader, startDate: Date): { html: string; markdown: string; script: string } | undefined {
  const s = readSchedule(r, startDate);
  if (!s) return undefined;
  const table = mdTable(SCHEDULE_HEADERS, scheduleRows(s));
  return { html: `${ganttAppHtml(s)}\n${markdownToHtml(table)}`, markdown: table, script: GANTT_SCRIPT };
}

function wbsSection(r: ReportReader): { html: string; markdown: string } | undefined {
  const file = 'wbs_project_level1_and_level2_and_level3.json';
  if (!r.has(file)) return undefined;
  const rows = flattenWbs(r.readJson<WbsNode>(file)).map(({ node, level }) => [node.id, level, node.title, node.description]);
  const table = mdTable(['WBS', 'Level', 'Title', 'Description'], rows);
  return { html: markdownToHtml(table), markdown: table };
}

export function renderSection(def: SectionDef, r: ReportReader, startDate: Date): RenderedSection | undefined {
  const present = def.parts.filter((p) => r.has(p.file));
  if (!present.length) return undefined;
  if (def.special) {
    const out = def.special === 'gantt' ? ganttSection(r, startDate) : wbsSection(r);
    return out && { id: def.id, title: def.title, ...out };
  }
  const html: string[] = [];
  const markdown: string[] = [];
  for (const p of present) {
    const text = r.read(p.file).trim();
    const shift = p.heading ? 2 : 1;
    if (p.heading) {
      html.push(`<h3>${escapeHtml(p.heading)}</h3>`);
      markdown.push(`### ${p.heading}`);
    }
    if (p.kind === 'text') {
      html.push(`<pre class="text">${escapeHtml(text)}</pre>`);
      markdown.push(fenced(text));
    } else {
      html.push(markdownToHtml(text, { headingShift: shift }));
      markdown.push(shiftMarkdownHeadings(text, shift));
    }
  }
  return { id: def.id, title: def.title, html: html.join('\n'), markdown: markdown.join('\n\n') };
}

export function renderSections(r: ReportReader, startDate: Date): RenderedSection[] {
  return REPORT_SECTIONS.map((d) => renderSection(d, r, startDate)).filter((s): s is RenderedSection => !!s);
}
