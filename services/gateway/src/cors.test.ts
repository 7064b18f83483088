import { describe, it, expect } from 'vitest';
import { corsPolicy, parseCorsOrigins, DEFAULT_AUTH_ORIGINS } from './cors.ts';

describe('PLANEXE_MCP_CORS_ORIGINS parsing (spec/http.md §4)', () => {
  it.each([
    [undefined, true, DEFAULT_AUTH_ORIGINS],
    ['   ', true, DEFAULT_AUTH_ORIGINS],
    [undefined, false, ['*']],
    ['', false, ['*']],
    ['https://a.example, https://b.example', true, ['https://a.example', 'https://b.example']],
    ['"https://a.example", "https://b.example"', true, ['https://a.example', 'https://b.example']],
    ['["https://a.example","https://b.example"]', true, ['https://a.example', 'https://b.example']],
    ["['https://a.example']", true, ["['https://a.example']"]], // not JSON: one odd item, as upstream
    ['https://a.example,, ,', true, ['https://a.example']],
    ['*', true, ['*']],
  ] as [string | undefined, boolean, string[]][])('%j (auth %s) → %j', (raw, auth, want) => {
    expect(parseCorsOrigins(raw, auth)).toEqual(want);
  });

  it('a wildcard allows every origin as *, a list only its members as themselves', () => {
    expect(corsPolicy(['*']).allow('https://x.example')).toBe('*');
    const p = corsPolicy(['https://a.example']);
    expect(p.allow('https://a.example')).toBe('https://a.example');
    expect(p.allow('https://b.example')).toBeUndefined();
  });
});
