import { parseDownloadKeyring } from '@planexe/auth';
import type { StandaloneConfig } from '@planexe/config';

/** Refuses to start in an unsafe configuration (spec/http.md §1): auth on but no key-hash secret. */
export function startupProblems(
  c: Pick<StandaloneConfig, 'PLANEXE_MCP_REQUIRE_AUTH' | 'PLANEXE_API_KEY_SECRET' | 'PLANEXE_DOWNLOAD_TOKEN_SECRET'> & Partial<Pick<StandaloneConfig, 'PLANEXE_DOWNLOAD_TOKEN_KEYS'>>,
): string[] {
  const problems: string[] = [];
  // a malformed keyring is a start-up error here as in the distributed services, not a stack trace later
  try {
    if (c.PLANEXE_DOWNLOAD_TOKEN_KEYS) parseDownloadKeyring(c.PLANEXE_DOWNLOAD_TOKEN_KEYS);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (c.PLANEXE_MCP_REQUIRE_AUTH && !c.PLANEXE_API_KEY_SECRET) {
    problems.push('PLANEXE_MCP_REQUIRE_AUTH is on but PLANEXE_API_KEY_SECRET is not set: user keys could not be verified.');
  }
  return problems;
}
