import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { normaliseApiKey, extractApiKey, hashApiKey, generateApiKey, safeEqual } from './apiKeys.ts';
import { isPublicRequest } from './publicRequests.ts';
import { DownloadTokens } from './downloadTokens.ts';

describe('API key parsing (spec/http.md §3.3)', () => {
  it.each([
    ['pex_abc123', 'pex_abc123'],
    ['  pex_abc123  ', 'pex_abc123'],
    ['Bearer pex_k', 'pex_k'],
    ['BEARER pex_k', 'pex_k'],
    ['token pex_k', 'pex_k'],
    ['X-API-Key: pex_k', 'pex_k'],
    ['api-key: pex_k', 'pex_k'],
    ['Authorization: pex_k', 'pex_k'],
    ['"pex_k"', 'pex_k'],
    ["'pex_k'", 'pex_k'],
    ['Basic xyz', 'xyz'],
  ])('%j → %j', (raw, want) => expect(normaliseApiKey(raw)).toBe(want));

  it.each([null, undefined, '', '   '])('%j → absent', (raw) => expect(normaliseApiKey(raw as any)).toBeUndefined());

  it('Authorization beats X-API-Key; the header family and query parameters are read', () => {
    expect(extractApiKey({ authorization: 'Bearer a', 'x-api-key': 'b' })).toBe('a');
    expect(extractApiKey({ 'x-api-key': 'X-API-Key: b' })).toBe('b');
    expect(extractApiKey({ 'api-key': 'c' })).toBe('c');
    expect(extractApiKey({}, { api_key: 'q' })).toBe('q');
    expect(extractApiKey({ authorization: '' })).toBeUndefined();
  });

  it('hashes as sha256_hex(secret:key) and issues pex_ keys with a 10-char prefix', () => {
    expect(hashApiKey('pex_x', 's')).toBe(createHash('sha256').update('s:pex_x').digest('hex'));
    expect(hashApiKey('pex_x', undefined)).toBe(createHash('sha256').update('dev-api-key-secret:pex_x').digest('hex'));
    const { key, prefix } = generateApiKey();
    expect(key).toMatch(/^pex_[A-Za-z0-9_-]{32}$/);
    expect(prefix).toBe(key.slice(0, 10));
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('public request rules (spec/http.md §3.2)', () => {
  const rpc = (method: string, name?: string) => ({ jsonrpc: '2.0', id: 1, method, params: name ? { name } : {} });
  it('handshake and listing methods are public, protected tools are not', () => {
    expect(isPublicRequest('GET', '/mcp/tools', undefined)).toBe(true);
    expect(isPublicRequest('GET', '/mcp/', undefined)).toBe(true);
    expect(isPublicRequest('HEAD', '/mcp/', undefined)).toBe(true);
    for (const m of ['initialize', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'ping']) {
      expect(isPublicRequest('POST', '/mcp/', rpc(m))).toBe(true);
    }
    expect(isPublicRequest('POST', '/mcp/', rpc('tools/call', 'plan_create'))).toBe(false);
    expect(isPublicRequest('POST', '/mcp/', rpc('tools/call', 'model_profiles'))).toBe(true);
    expect(isPublicRequest('POST', '/mcp/', rpc('resources/read'))).toBe(false);
    expect(isPublicRequest('POST', '/mcp/', [rpc('tools/list'), rpc('tools/call', 'plan_list')])).toBe(false);
    expect(isPublicRequest('POST', '/mcp/tools/call', { tool: 'model_profiles' })).toBe(true);
    expect(isPublicRequest('POST', '/mcp/tools/call', { tool: 'plan_create' })).toBe(false);
    expect(isPublicRequest('POST', '/mcp', rpc('tools/call', 'plan_create'))).toBe(false);
    expect(isPublicRequest('POST', '/mcp/', undefined)).toBe(false);
  });
});

describe('download tokens (spec/artifacts.md §1)', () => {
  const t = new DownloadTokens(['s1'], 900);
  const id = '11111111-2222-4333-8444-555555555555';
  it('verifies for exactly one plan and file until expiry', () => {
    const now = 1_800_000_000_000;
    const { token } = t.sign(id, 'report.html', now);
    expect(token).toMatch(/^\d+\.[0-9a-f]{64}$/);
    expect(t.verify(token, id, 'report.html', now)).toBe(true);
    expect(t.verify(token, id, 'run.zip', now)).toBe(false);
    expect(t.verify(token, id.replace('1', '9'), 'report.html', now)).toBe(false);
    expect(t.verify(token, id, 'report.html', now + 900_000)).toBe(true);
    expect(t.verify(token, id, 'report.html', now + 900_001)).toBe(false);
    expect(t.verify(token.toUpperCase(), id, 'report.html', now)).toBe(false);
  });
  it.each(['', 'nodot', 'abc.def.extra', 'notanint.abc', '123.é'])('rejects %j', (tok) => expect(t.verify(tok, id, 'report.html')).toBe(false));
  it('a rotated-in secret still verifies tokens of the previous one', () => {
    const old = new DownloadTokens(['old'], 60).sign(id, 'run.zip').token;
    expect(new DownloadTokens(['new', 'old'], 60).verify(old, id, 'run.zip')).toBe(true);
    expect(new DownloadTokens(['new'], 60).verify(old, id, 'run.zip')).toBe(false);
  });
});
