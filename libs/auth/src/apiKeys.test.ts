import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { normaliseApiKey, extractApiKey, hashApiKey, generateApiKey, safeEqual } from './apiKeys.ts';
import { isFreeRpcMessage, matchRoute, rpcMessageKind } from '@planexe/contracts';
import { isPublicRequest } from './publicRequests.ts';

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
  const pub = (method: string, path: string, body: unknown) => {
    const m = matchRoute(method, path);
    if (m.kind !== 'route') throw new Error(`no route for ${method} ${path}`);
    return isPublicRequest(m.route, method, body);
  };
  it('handshake and listing methods are public, protected tools are not', () => {
    expect(pub('GET', '/mcp/tools', undefined)).toBe(true);
    expect(pub('GET', '/mcp/', undefined)).toBe(true);
    expect(pub('HEAD', '/mcp/', undefined)).toBe(true);
    for (const m of ['initialize', 'tools/list', 'prompts/list', 'resources/templates/list', 'ping']) {
      expect(pub('POST', '/mcp/', rpc(m))).toBe(true);
    }
    expect(pub('POST', '/mcp/', rpc('tools/call', 'plan_create'))).toBe(false);
    expect(pub('POST', '/mcp/', rpc('tools/call', 'model_profiles'))).toBe(true);
    expect(pub('POST', '/mcp/', rpc('resources/read'))).toBe(false);
    // the caller's own plans: never listed without a key
    expect(pub('POST', '/mcp/', rpc('resources/list'))).toBe(false);
    expect(pub('POST', '/mcp/', [rpc('tools/list'), rpc('tools/call', 'plan_list')])).toBe(false);
    expect(pub('POST', '/mcp/tools/call', { tool: 'model_profiles' })).toBe(true);
    expect(pub('POST', '/mcp/tools/call', { tool: 'plan_create' })).toBe(false);
    expect(pub('POST', '/mcp', rpc('tools/call', 'plan_create'))).toBe(false);
    expect(pub('POST', '/mcp/', undefined)).toBe(false);
    expect(pub('DELETE', '/mcp/', undefined)).toBe(false);
    expect(pub('GET', '/download/x/report.html', undefined)).toBe(false);
  });

  it("a client's answer (a JSON-RPC response, spec/http.md §6.1) is never public, alone or beside public calls", () => {
    const answer = { jsonrpc: '2.0', id: 'abcdef012345.AAAAAAAAAAAAAAAAAAAAAA', result: { action: 'accept' } };
    const failed = { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } };
    expect(rpcMessageKind(answer)).toBe('answer');
    expect(rpcMessageKind(failed)).toBe('answer');
    expect(rpcMessageKind(rpc('ping'))).toBe('request');
    expect(rpcMessageKind({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe('notification');
    for (const junk of [{ jsonrpc: '2.0', id: 1 }, { id: null, result: {} }, { method: 5, id: 1 }, [answer], 'x', null]) expect(rpcMessageKind(junk)).toBe('invalid');
    expect(pub('POST', '/mcp/', answer)).toBe(false);
    expect(pub('POST', '/mcp/', failed)).toBe(false);
    expect(pub('POST', '/mcp/', [rpc('ping'), answer])).toBe(false);
    // free of budget, all the same: the call that asked was charged
    expect(isFreeRpcMessage(answer)).toBe(true);
    expect(isFreeRpcMessage(rpc('tools/call', 'plan_list'))).toBe(false);
  });
});
