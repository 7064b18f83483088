/** Small builders for the Markdown files the steps write. Model text is kept as text (the report escapes it). */

/** One table cell: single line, pipes escaped. */
export function mdCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : Array.isArray(value) ? value.map(String).join('; ') : String(value);
  return s.replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim();
}

export function mdTable(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '_None._\n';
  const line = (cells: unknown[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

export function mdBullets(items: ReadonlyArray<unknown>): string {
  if (!items.length) return '_None._\n';
  return items.map((i) => `- ${String(i).replace(/\r?\n+/g, ' ').trim()}`).join('\n') + '\n';
}

/** A heading plus body; `level` 2 by default (step files leave level 1 to the report). The title is one line. */
export function mdSection(title: string, body: string, level = 2): string {
  return `${'#'.repeat(level)} ${title.replace(/\s*\r?\n\s*/g, ' ').trim()}\n\n${body.trim()}\n`;
}

/** Block markers at a line start: heading, quote, bullet, numbered item, code fence. */
const BLOCK_START = /^(\s*)(#|>|[-*+](?=\s|$)|\d{1,9}[.)](?=\s|$)|```|~~~)/;
/** A line of only rule/table-separator punctuation (`---`, `| --- |`, `***`). */
const RULE_LIKE = /^\s*(?=(?:.*[-_*]){2})[-_*|:\s]+$/;

/**
 * Model text made safe to place in a Markdown block: every line stays text (block markers at line starts are
 * backslash-escaped), so a model answer cannot forge headings, lists, tables or code blocks in our documents.
 */
export function mdText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      if (RULE_LIKE.test(line)) return `\\${line.trimStart()}`;
      return line.replace(BLOCK_START, (_m, space: string, mark: string) => (/^\d/.test(mark) ? `${space}${mark.slice(0, -1)}\\${mark.slice(-1)}` : `${space}\\${mark}`));
    })
    .join('\n');
}

/** Every string of a model answer passed through mdText (before it is rendered into Markdown). */
export function mdSafe<T>(value: T): T {
  if (typeof value === 'string') return mdText(value) as T;
  if (Array.isArray(value)) return value.map((v) => mdSafe(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mdSafe(v)])) as T;
  return value;
}

/** Joins sections with blank lines and ends with one newline. */
export function mdJoin(parts: ReadonlyArray<string>): string {
  return parts.map((p) => p.trim()).filter(Boolean).join('\n\n') + '\n';
}

/** Pretty JSON as written to `*_raw.json` and other JSON outputs. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** `high_risk` → `High risk` (enum values shown to readers). */
export function humanLabel(value: string): string {
  const s = value.replace(/_/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
