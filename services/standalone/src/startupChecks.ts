import type { StandaloneConfig } from '@planexe/config';

/** Refuses to start in an unsafe configuration (spec/http.md §1): auth on but no key-hash secret. */
export function startupProblems(c: Pick<StandaloneConfig, 'PLANEXE_MCP_REQUIRE_AUTH' | 'PLANEXE_API_KEY_SECRET' | 'PLANEXE_DOWNLOAD_TOKEN_SECRET'>): string[] {
  const problems: string[] = [];
  if (c.PLANEXE_MCP_REQUIRE_AUTH && !c.PLANEXE_API_KEY_SECRET) {
    problems.push('PLANEXE_MCP_REQUIRE_AUTH is on but PLANEXE_API_KEY_SECRET is not set: user keys could not be verified.');
  }
  return problems;
}
