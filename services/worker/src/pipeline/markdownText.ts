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

/** A heading plus body; `level` 2 by default (step files leave level 1 to the report). */
export function mdSection(title: string, body: string, level = 2): string {
  return `${'#'.repeat(level)} ${title}\n\n${body.trim()}\n`;
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
