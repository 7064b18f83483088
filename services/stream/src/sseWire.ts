/**
 * The SSE wire format (spec/sse.md §2): `event:` + `data:` lines, one JSON object per event. The JSON mimics
 * upstream's Python encoder (`{"a": 1, "b": 2.0}`, ASCII-only) so byte-level greps written against upstream keep
 * working; clients parse it either way.
 */
import type { ServerResponse } from 'node:http';

/** A number Python prints as a float: `25.0`, not `25`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyJson = string | number | boolean | null | PyFloat | { [key: string]: PyJson | undefined };

function pyString(s: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters; Python's ensure_ascii also escapes the rest
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

/** `json.dumps(value)` with Python's default separators; `undefined` members are left out. */
export function pyJson(value: PyJson): string {
  if (value === null) return 'null';
  if (value instanceof PyFloat) return pyFloat(value.value);
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${pyString(k)}: ${pyJson(v)}`);
  return `{${parts.join(', ')}}`;
}

/** The first chunk of every stream: reconnect after 5 s (spec §2). */
export const RETRY_HINT = 'retry: 5000\n\n';

/** One event. `id` (the plan's state version) is our addition: the spec's events carry none. */
export function sseEvent(name: string, data: PyJson, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${pyJson(data)}\n\n`;
}

/** A comment line: ignored by every SSE parser, keeps proxies and NATs from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}

export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/** Whether a response can still take bytes (the client has not gone and nothing ended it). */
export function isWritable(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

/** The last chunk of a stream, then the end of the response; nothing when the response is already gone. */
export function finishResponse(res: ServerResponse, chunk: string): void {
  if (!isWritable(res)) return;
  res.write(chunk);
  res.end();
}
