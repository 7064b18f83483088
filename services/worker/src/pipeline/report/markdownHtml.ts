/**
 * A deliberately small Markdown → HTML renderer for untrusted model text: headings, paragraphs, bullet and
 * numbered lists, tables, fenced code, block quotes, rules, bold, italic and inline code. Every piece of text is
 * escaped first and only our own tags are added afterwards; raw HTML and links are never passed through.
 */
import { escapeHtml } from './escapeHtml.ts';

export interface MarkdownHtmlOptions {
  /** Added to every heading level (clamped to h6), so content nests under the section heading. */
  headingShift?: number;
}

const ESCAPED = /\\([!-/:-@[-`{-~])/g;
const MARK = /\uE000(\d+)\uE001/g;

/**
 * Inline formatting of one line; everything is HTML-escaped. Backslash escapes (`\#`, `\*`, `\|` …) give the
 * literal character and take no part in formatting. Code spans are kept out of the other rules.
 */
export function inlineHtml(text: string): string {
  const literals: string[] = [];
  const marked = text.replace(/[\uE000\uE001]/g, '').replace(ESCAPED, (_m, c: string) => `\uE000${literals.push(c) - 1}\uE001`);
  return formatInline(marked).replace(MARK, (_m, i: string) => escapeHtml(literals[Number(i)]));
}

function formatInline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => {
      if (/^`[^`]+`$/.test(part)) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      return escapeHtml(part)
        .replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>')
        .replace(/__(?=\S)(.+?)__/g, '<strong>$1</strong>')
        .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?!\*)/g, '$1<em>$2</em>');
    })
    .join('');
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,4}[.)]\s+(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const FENCE = /^\s*```/;

/** Cells of a table row: split on pipes that are not escaped, `\|` becomes `|`. */
function tableCells(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  return t.split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|').trim());
}

function isTableStart(lines: string[], i: number): boolean {
  return lines[i].includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes('-');
}

function startsBlock(lines: string[], i: number): boolean {
  const l = lines[i];
  return HEADING.test(l) || BULLET.test(l) || NUMBERED.test(l) || RULE.test(l) || FENCE.test(l) || /^\s*>/.test(l) || isTableStart(lines, i);
}

export function markdownToHtml(markdown: string, opts: MarkdownHtmlOptions = {}): string {
  const shift = opts.headingShift ?? 0;
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      const level = Math.min(6, h[1].length + shift);
      out.push(`<h${level}>${inlineHtml(h[2])}</h${level}>`);
      i++;
    } else if (FENCE.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !FENCE.test(lines[i]); i++) body.push(lines[i]);
      i++;
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
    } else if (RULE.test(line)) {
      out.push('<hr>');
      i++;
    } else if (isTableStart(lines, i)) {
      const head = tableCells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i].trim() && lines[i].includes('|'); i++) rows.push(tableCells(lines[i]));
      const th = head.map((c) => `<th>${inlineHtml(c)}</th>`).join('');
      const tb = rows.map((r) => `<tr>${head.map((_c, k) => `<td>${inlineHtml(r[k] ?? '')}</td>`).join('')}</tr>`).join('\n');
      out.push(`<div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>\n${tb}\n</tbody></table></div>`);
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const re = BULLET.test(line) ? BULLET : NUMBERED;
      const tag = re === BULLET ? 'ul' : 'ol';
      const items: string[] = [];
      for (; i < lines.length && re.test(lines[i]); i++) items.push(`<li>${inlineHtml((re.exec(lines[i]) as RegExpExecArray)[1])}</li>`);
      out.push(`<${tag}>${items.join('')}</${tag}>`);
    } else if (/^\s*>/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*>\s?/, ''));
      out.push(`<blockquote>${markdownToHtml(body.join('\n'), opts)}</blockquote>`);
    } else {
      const para: string[] = [line.trim()];
      for (i++; i < lines.length && lines[i].trim() && !startsBlock(lines, i); i++) para.push(lines[i].trim());
      out.push(`<p>${para.map(inlineHtml).join('<br>\n')}</p>`);
    }
  }
  return out.join('\n');
}
