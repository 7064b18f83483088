import { describe, it, expect } from 'vitest';
import { paramHeaderMismatch, paramHeadersOf } from './mcpParamHeaders.ts';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    priority: { type: 'integer', 'x-mcp-header': 'Priority' },
    verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
    nested: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
    list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } },
    blob: { type: 'object', 'x-mcp-header': 'Blob' },
    query: { type: 'string' },
  },
};

describe('Mcp-Param-* mirrors (SEP-2243)', () => {
  const declared = paramHeadersOf(schema);
  const check = (args: unknown, headers: Record<string, string>) => paramHeaderMismatch(declared, args, (n) => headers[n]);

  it('finds primitive properties reached through properties only', () => {
    expect(declared.map((d) => [d.path.join('.'), d.headerName, d.type])).toEqual([
      ['region', 'Region', 'string'],
      ['priority', 'Priority', 'integer'],
      ['verbose', 'Verbose', 'boolean'],
      ['nested.zone', 'Zone', 'string'],
    ]);
    expect(paramHeadersOf({ type: 'object', properties: { plan_id: { type: 'string' } } })).toEqual([]);
  });

  it('takes headers that agree, plain or Base64, numbers by value, with OWS trimmed', () => {
    const args = { region: 'Zürich', priority: 5, verbose: false, nested: { zone: 'a' } };
    const b64 = Buffer.from('Zürich').toString('base64');
    expect(check(args, { 'mcp-param-region': `=?base64?${b64}?=`, 'mcp-param-priority': '5.0', 'mcp-param-verbose': 'false', 'mcp-param-zone': ' a\t' })).toBeUndefined();
    // absent or null arguments need no header
    expect(check({ region: null }, {})).toBeUndefined();
  });

  it('refuses a missing header, a disagreeing one and an invalid Base64 sentinel, naming the header', () => {
    expect(check({ region: 'eu' }, {})).toMatchObject({ header: 'Mcp-Param-Region', message: expect.stringMatching(/absent/) });
    expect(check({ region: 'eu' }, { 'mcp-param-region': 'us' })).toMatchObject({ header: 'Mcp-Param-Region', message: expect.stringMatching(/decodes to "us"/) });
    expect(check({ priority: 5 }, { 'mcp-param-priority': '6' })?.header).toBe('Mcp-Param-Priority');
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' })?.message).toMatch(/invalid Base64/); // no padding
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVs!!!bG8=?=' })?.message).toMatch(/invalid Base64/);
    // a value that only looks like a sentinel is literal
    expect(check({ region: '=?base64?SGVsbG8=' }, { 'mcp-param-region': '=?base64?SGVsbG8=' })).toBeUndefined();
  });
});
