import { describe, it, expect, beforeAll } from 'vitest';
import { z } from 'zod';
import { sampleFromSchema, seedOf } from '@planexe/testing';
import { PIPELINE_STEPS } from '../src/pipeline/graph.ts';
import { runInMemory, type MemoryRun } from '../src/pipeline/memoryRun.ts';
import { markdownToHtml } from '../src/pipeline/report/markdownHtml.ts';
import { escapeHtml } from '../src/pipeline/report/escapeHtml.ts';
import { mdText } from '../src/pipeline/markdownText.ts';
import { renderSections } from '../src/pipeline/report/reportSections.ts';
import { SECTIONS } from './pipelineSpec.ts';


const seedFor = (messages: { content: string }[]) => seedOf(messages.map((m) => m.content).join('\n'));
const sample = (schema: z.ZodType, messages: { content: string }[]) => sampleFromSchema(z.toJSONSchema(schema) as Record<string, unknown>, { seed: seedFor(messages) });

const HOSTILE = ' <script>alert(1)</script> <img src=x onerror=alert(2)> <a href="https://evil.example/x.js">x</a> | pipe\n# not a heading';

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

function setAt(target: unknown, path: PropertyKey[], value: unknown): void {
  let node = target as Record<PropertyKey, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<PropertyKey, unknown>;
  node[path[path.length - 1]] = value;
}
const getAt = (v: unknown, path: PropertyKey[]) => path.reduce<unknown>((n, k) => (n as Record<PropertyKey, unknown>)[k], v);

/** A schema-valid answer whose free-text strings all carry HTML/script injection attempts (enums stay valid). */
function hostile(schema: z.ZodType, messages: { content: string }[]): unknown {
  const original = sample(schema, messages);
  const mapped = mapStrings(original, (s) => s + HOSTILE);
  for (let i = 0; i < 20; i++) {
    const r = schema.safeParse(mapped);
    if (r.success) return mapped;
    for (const issue of r.error.issues) setAt(mapped, issue.path, getAt(original, issue.path));
  }
  return original;
}

function headingsOf(html: string): string[] {
  return [...html.matchAll(/<summary><h2>(.*?)<\/h2><\/summary>/g)].map((m) => m[1]);
}

/** Every attribute of every real tag (quoted values are skipped over, so escaped text inside them is not a tag). */
function attributesOf(html: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const tag of html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    for (const a of tag[1].matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) out.push([a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '']);
  }
  return out;
}

function assertSelfContained(html: string): void {
  // one inline script, plus the schedule as inert JSON
  expect(html.match(/<script>/gi)).toHaveLength(1);
  expect(html.match(/<script/gi)).toHaveLength(2);
  expect(html.match(/<script type="application\/json" class="gantt-data">/g)).toHaveLength(1);
  expect(html).not.toMatch(/<script[^>]*\ssrc/i);
  for (const [name, value] of attributesOf(html)) {
    expect(['src', 'srcset', 'action', 'formaction', 'xlink:href', 'background', 'poster']).not.toContain(name);
    expect(name.startsWith('on'), name).toBe(false);
    if (name === 'href') expect(value.startsWith('#'), value).toBe(true); // only in-page anchors
  }
  expect(html).not.toMatch(/@import|url\(|<link|<iframe|<object|<embed|<img|<base/i);
  expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|import\(/);
}

describe('report of the whole pipeline', () => {
  let run: MemoryRun;
  beforeAll(async () => {
    run = await runInMemory(PIPELINE_STEPS, { prompt: 'Open a small coffee shop in Copenhagen.', answer: sample });
  });

  it('is one self-contained page with title, contents and collapsible sections in spec order', () => {
    const html = run.files.get('report.html') as string;
    const title = JSON.parse(run.files.get('wbs_level1_project_title.json') as string) as string;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<title>${escapeHtml(title)}</title>`);
    expect(html).toContain(`<h1>${escapeHtml(title)}</h1>`);
    expect(headingsOf(html)).toEqual(SECTIONS);
    expect(html).toContain('<nav class="toc">');
    const toc = [...(html.match(/<nav class="toc">[\s\S]*?<\/nav>/)?.[0] ?? '').matchAll(/<a href="#([\w-]+)">(.*?)<\/a>/g)];
    expect(toc.map((m) => m[2])).toEqual(SECTIONS);
    for (const [, id] of toc) expect(html).toContain(`<section id="${id}">`);
    expect((html.match(/<details open>/g) ?? []).length).toBe(SECTIONS.length);
    expect(html).toMatch(/<section id="gantt">[\s\S]*?<div class="gantt-app">[\s\S]*?<svg class="gantt"[\s\S]*?<\/svg>/);
    expect(html).toMatch(/<section id="wbs">[\s\S]*?<table>/);
    // tables rendered from the JSON outputs
    for (const id of ['scenarios', 'governance', 'related-resources', 'data-collection', 'documents', 'expert-criticism', 'premortem', 'self-audit', 'prompt-adherence']) {
      expect(html, id).toMatch(new RegExp(`<section id="${id}">(?:(?!</section>)[\\s\\S])*?<table>`));
    }
    expect(html).toMatch(/<section id="initial-prompt-vetted">[\s\S]*?<pre class="text">Plan:\nOpen a small coffee shop/);
    expect(html).not.toMatch(/https?:\/\//);
    assertSelfContained(html);
    expect(Buffer.byteLength(html)).toBeGreaterThan(40_000);
    expect(attributesOf(html)).toContainEqual(['href', '#gantt']);
    expect(attributesOf('<p>&lt;img src=x&gt;</p><img alt="a > b" src=\'http://x\'>')).toEqual([['alt', 'a > b'], ['src', 'http://x']]);
  });

  it('report.md has the same sections as Markdown', () => {
    const md = run.files.get('report.md') as string;
    const title = JSON.parse(run.files.get('wbs_level1_project_title.json') as string) as string;
    expect(md.startsWith(`# ${title}\n`)).toBe(true);
    expect([...md.matchAll(/^## (.*)$/gm)].map((m) => m[1])).toEqual(SECTIONS.map((s) => s.replace('&amp;', '&')));
    expect(md).toMatch(/## Work Breakdown Structure\n\n\| WBS \| Level \| Title \| Description \|/);
  });

  it('escapes the prompt and every piece of model text', async () => {
    const evil = await runInMemory(PIPELINE_STEPS, { prompt: 'Plan a party <script>alert(1)</script> **now**', answer: hostile });
    const html = evil.files.get('report.html') as string;
    expect(html).toContain('Plan a party &lt;script&gt;alert(1)&lt;/script&gt; **now**');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<img|<a\s+href="(?!#)/i);
    expect(headingsOf(html)).toEqual(SECTIONS);
    assertSelfContained(html);
    // the schedule JSON cannot close its script element
    const data = html.match(/<script type="application\/json" class="gantt-data">([\s\S]*?)<\/script>/)?.[1] ?? '';
    expect(data).not.toMatch(/[<>&]/);
    expect(JSON.stringify(JSON.parse(data))).toContain('<script>alert(1)</script>');
    const gantt = evil.files.get('schedule_gantt_dhtmlx.html') as string;
    expect(gantt).not.toMatch(/<script>alert|<img|<a\s/i);
    expect(gantt.match(/<script/g)).toHaveLength(2);
    expect(gantt).toContain('&lt;script&gt;');
    // model text in the Markdown report stays text for an LLM reader, and a Markdown table never breaks its rows
    const md = evil.files.get('report.md') as string;
    expect([...md.matchAll(/^## (.*)$/gm)].map((m) => m[1])).toEqual(SECTIONS.map((s) => s.replace('&amp;', '&')));
    expect(md).not.toMatch(/^#+ not a heading/m);
    expect(html).not.toMatch(/<h\d>not a heading/);
    expect(html).toContain('# not a heading');
  });

  it('renders only the sections whose inputs exist, in spec order', () => {
    const files = new Map<string, string>([
      ['plan.txt', 'Plan:\nx'],
      ['pitch.md', '## Pitch\nBuy **now**'],
      ['project_plan.md', '## Goal\nDo it'],
      ['premortem.md', '| a | b |\n| --- | --- |\n| 1 | 2 |'],
    ]);
    const reader = { has: (n: string) => files.has(n), read: (n: string) => files.get(n) as string, readJson: <T>(n: string) => JSON.parse(files.get(n) as string) as T };
    const sections = renderSections(reader, new Date(Date.UTC(2026, 0, 1)));
    expect(sections.map((s) => s.title)).toEqual(['Pitch', 'Project Plan', 'Premortem', 'Initial Prompt Vetted']);
    expect(sections[0].html).toContain('<h3>Pitch</h3>');
    expect(sections[2].html).toContain('<td>1</td>');
  });
});

describe('safe markdown renderer', () => {
  it('renders headings, paragraphs, lists, emphasis, code and tables', () => {
    const html = markdownToHtml('# Title\n\nSome **bold** and *it* and `a<b`.\n\n- one\n- two\n\n1. first\n2. second\n\n| A | B |\n| --- | --- |\n| x \\| y | 2 |', { headingShift: 1 });
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<p>Some <strong>bold</strong> and <em>it</em> and <code>a&lt;b</code>.</p>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('<ol><li>first</li><li>second</li></ol>');
    expect(html).toContain('<th>A</th><th>B</th>');
    expect(html).toContain('<td>x | y</td><td>2</td>');
  });

  it('model text made safe with mdText stays text: no forged headings, lists, rules, tables or fences', () => {
    const evil = 'Intro\n# Heading\n- item\n12. step\n> quote\n---\n| a | b |\n| --- | --- |\n```\ncode';
    const md = mdText(evil);
    expect(md).toBe('Intro\n\\# Heading\n\\- item\n12\\. step\n\\> quote\n\\---\n| a | b |\n\\| --- | --- |\n\\```\ncode');
    const html = markdownToHtml(md);
    expect(html).not.toMatch(/<h\d|<li|<hr|<table|<pre|<blockquote/);
    expect(html).toContain('# Heading<br>');
    expect(html).toContain('12. step');
    expect(markdownToHtml('a \\*not em\\* and \\`x\\` and C:\\path')).toBe('<p>a *not em* and `x` and C:\\path</p>');
  });

  it('never passes raw HTML or links through', () => {
    const html = markdownToHtml('<b onmouseover="x()">hi</b>\n\n[click](javascript:alert(1))\n\n```\n<script>bad()</script>\n```\n\n| <i>h</i> |\n| --- |\n| <svg onload=1> |');
    expect(html).not.toMatch(/<b |<script|<svg|<i>|<a /);
    expect(html).toContain('&lt;b onmouseover=&quot;x()&quot;&gt;hi&lt;/b&gt;');
    expect(html).toContain('[click](javascript:alert(1))');
    expect(html).toContain('&lt;script&gt;bad()&lt;/script&gt;');
  });
});
