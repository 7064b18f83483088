import { describe, it, expect } from 'vitest';
import { DEFAULT_URL, isLoopbackUrl, normaliseCloudUrl } from './cloudUrl.ts';

describe('PLANEXE_URL normalisation (spec/tools.md §9.3)', () => {
  it.each([
    ['https://mcp.planexe.org', 'https://mcp.planexe.org/mcp', 'https://mcp.planexe.org'],
    ['https://mcp.planexe.org/', 'https://mcp.planexe.org/mcp', 'https://mcp.planexe.org'],
    ['  https://mcp.planexe.org/mcp/  ', 'https://mcp.planexe.org/mcp', 'https://mcp.planexe.org'],
    ['https://mcp.planexe.org/mcp/tools/call', 'https://mcp.planexe.org/mcp', 'https://mcp.planexe.org'],
    ['https://mcp.planexe.org/mcp/tools', 'https://mcp.planexe.org/mcp', 'https://mcp.planexe.org'],
    ['https://h.example/base/tools/call', 'https://h.example/base/mcp', 'https://h.example/base'],
    ['https://h.example/base/tools', 'https://h.example/base/mcp', 'https://h.example/base'],
    ['http://127.0.0.1:8001/mcp?x=1#frag', 'http://127.0.0.1:8001/mcp', 'http://127.0.0.1:8001'],
  ])('%s', (raw, mcp, download) => expect(normaliseCloudUrl(raw)).toEqual({ mcp, download }));

  it('defaults to the local `npm start` server and refuses what is not an http(s) URL or carries credentials', () => {
    expect(DEFAULT_URL).toBe('http://127.0.0.1:8001/mcp');
    expect(normaliseCloudUrl(undefined).mcp).toBe(DEFAULT_URL);
    expect(normaliseCloudUrl('  ').mcp).toBe(DEFAULT_URL);
    expect(() => normaliseCloudUrl('not a url')).toThrow(/PLANEXE_URL/);
    expect(() => normaliseCloudUrl('ftp://x/mcp')).toThrow(/http/);
    expect(() => normaliseCloudUrl('https://u:p@x/mcp')).toThrow(/PLANEXE_MCP_API_KEY/);
  });

  it.each([
    ['http://127.0.0.1:8001/mcp', true], ['http://localhost:8001/mcp', true], ['http://[::1]:8001/mcp', true], ['http://127.1.2.3/mcp', true],
    ['https://mcp.planexe.org/mcp', false], ['http://127.0.0.1.example.com/mcp', false], ['http://10.0.0.1/mcp', false],
  ])('isLoopbackUrl(%s) is %s', (url, loopback) => expect(isLoopbackUrl(url)).toBe(loopback));
});
