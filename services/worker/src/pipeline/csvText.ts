/** CSV writing for the WBS and schedule exports (RFC 4180 quoting; spreadsheet formulas neutralised). */

function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  // a cell starting with = + - @ (or a control char) would be run as a formula by spreadsheet apps
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
