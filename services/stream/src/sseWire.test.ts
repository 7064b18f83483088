import { describe, expect, it } from 'vitest';
import { PyFloat, pyJson, sseComment, sseEvent } from './sseWire.ts';
import { completeEvent, heartbeatEvent, notFoundEvent, statusEvent, timeoutEvent, toUpdate, type PlanUpdate } from './planEvents.ts';

const data = (chunk: string) => JSON.parse(/\ndata: (.*)\n\n$/.exec(chunk)![1]);

describe('sseWire', () => {
  it('prints JSON as Python json.dumps does: separators, floats, ensure_ascii, nesting', () => {
    expect(pyJson({ a: 1, b: new PyFloat(25), c: new PyFloat(12.5), d: null, e: true, f: undefined })).toBe(
      '{"a": 1, "b": 25.0, "c": 12.5, "d": null, "e": true}',
    );
    expect(pyJson({ m: 'Kø "q"\n😀' })).toBe('{"m": "K\\u00f8 \\"q\\"\\n\\ud83d\\ude00"}');
    expect(pyJson({ error: { code: 'x', message: 'y' } })).toBe('{"error": {"code": "x", "message": "y"}}');
    expect(JSON.parse(pyJson({ m: 'Kø 😀' }))).toEqual({ m: 'Kø 😀' });
  });

  it('frames events with an optional id, and comments', () => {
    expect(sseEvent('status', { a: 1 })).toBe('event: status\ndata: {"a": 1}\n\n');
    expect(sseEvent('status', { a: 1 }, 7)).toBe('id: 7\nevent: status\ndata: {"a": 1}\n\n');
    expect(sseComment('keep-alive')).toBe(': keep-alive\n\n');
  });
});

describe('planEvents', () => {
  const base: PlanUpdate = { version: 3, state: 'processing', progress: 25, progressMessage: '3 of 12', createdAtMs: 1_000_000 };

  it('status: the four spec fields, elapsed_sec rounded to one decimal, 0.0 without a creation time', () => {
    const chunk = statusEvent('ID', base, 1_000_000 + 12_345);
    expect(chunk.startsWith('id: 3\nevent: status\n')).toBe(true);
    expect(chunk).toContain('"progress_percentage": 25.0, "elapsed_sec": 12.3}');
    expect(data(chunk)).toEqual({ plan_id: 'ID', state: 'processing', progress_percentage: 25, elapsed_sec: 12.3 });
    expect(data(statusEvent('ID', { ...base, createdAtMs: null }, 5)).elapsed_sec).toBe(0);
  });

  it('complete: failed carries generation_failed with progress_message, or the default message', () => {
    expect(data(completeEvent('ID', { ...base, state: 'failed' }, 1_000_000)).error).toEqual({ code: 'generation_failed', message: '3 of 12' });
    expect(data(completeEvent('ID', { ...base, state: 'failed', progressMessage: '' }, 0)).error).toEqual({
      code: 'generation_failed',
      message: 'Plan generation failed.',
    });
    expect(data(completeEvent('ID', { ...base, state: 'stopped' }, 0))).not.toHaveProperty('error');
  });

  it('toUpdate forces 100 for completed and reads created_at when no precise time is known', () => {
    const u = toUpdate({
      plan_id: 'p',
      version: 9,
      state: 'completed',
      progress_percentage: 80,
      progress_message: null,
      steps_completed: null,
      steps_total: null,
      current_step: null,
      created_at: '2026-01-01T00:00:00Z',
      last_progress_at: null,
      stop_requested: false,
      failure_reason: null,
      error_message: null,
      recoverable: null,
    });
    expect(u).toEqual({ version: 9, state: 'completed', progress: 100, progressMessage: null, createdAtMs: Date.parse('2026-01-01T00:00:00Z') });
  });

  it('streams of one plan share the chunk built for an update within the same tenth of a second', () => {
    const u: PlanUpdate = { ...base };
    const a = statusEvent('ID', u, 1_000_000 + 12_340);
    expect(statusEvent('ID', u, 1_000_000 + 12_349)).toBe(a);
    expect(statusEvent('ID', u, 1_000_000 + 12_360)).toContain('"elapsed_sec": 12.4');
    expect(statusEvent('OTHER', u, 1_000_000 + 12_360)).toContain('"plan_id": "OTHER"');
  });

  it('heartbeat and error payloads', () => {
    expect(heartbeatEvent(Date.parse('2026-02-03T04:05:06.789Z'))).toBe('event: heartbeat\ndata: {"timestamp": "2026-02-03T04:05:06Z"}\n\n');
    expect(data(notFoundEvent('abc'))).toEqual({ code: 'PLAN_NOT_FOUND', message: 'Plan not found: abc' });
    expect(data(timeoutEvent(3600))).toEqual({ code: 'SSE_TIMEOUT', message: 'SSE stream timed out after 3600 seconds' });
  });
});
