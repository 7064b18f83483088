import { describe, expect, it } from 'vitest';
import { startupProblems } from './startupChecks.ts';

const base = { PLANEXE_MCP_REQUIRE_AUTH: false, PLANEXE_API_KEY_SECRET: undefined, PLANEXE_DOWNLOAD_TOKEN_SECRET: undefined };

describe('standalone start-up checks', () => {
  it('refuses a malformed download-token keyring by name, without echoing a secret', () => {
    expect(startupProblems({ ...base, PLANEXE_DOWNLOAD_TOKEN_KEYS: 'k1:0123456789abcdef,default' })).toEqual([]);
    const problems = startupProblems({ ...base, PLANEXE_DOWNLOAD_TOKEN_KEYS: 'k1:short-secret' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/key "k1"/);
    expect(problems[0]).not.toContain('short-secret');
  });

  it('refuses auth without the key-hash secret', () => {
    expect(startupProblems({ ...base, PLANEXE_MCP_REQUIRE_AUTH: true })).toEqual([
      'PLANEXE_MCP_REQUIRE_AUTH is on but PLANEXE_API_KEY_SECRET is not set: user keys could not be verified.',
    ]);
  });
});
