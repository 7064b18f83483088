/**
 * Every PLANEXE_ variable the production source names is declared in libs/config and so has a row in README's
 * generated table (`npm run docs:env`): a variable read anywhere else would be undocumented and unvalidated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionSources, ROOT } from './sourceTree.ts';

// a name, not a prefix in prose such as `PLANEXE_POSTGRES_*`
const VARIABLE = /\bPLANEXE_[A-Z0-9_]+(?![A-Z0-9_])/g;

describe('environment variables', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

  it('every PLANEXE_ variable production source reads is in README’s env table', () => {
    // libs/testing is the test suites' support code: its PLANEXE_TEST_* switches are the test runner's, not a service's
    const sources = productionSources().filter((f) => f.workspace.folder !== 'testing');
    const read = new Map<string, string>();
    for (const f of sources) {
      for (const m of f.text.matchAll(VARIABLE)) if (!m[0].endsWith('_') && !read.has(m[0])) read.set(m[0], f.path);
    }
    expect(read.size).toBeGreaterThan(40);
    const missing = [...read].filter(([name]) => !table.has(name)).map(([name, path]) => `${name} (${path})`);
    expect(missing).toEqual([]);
  });

  it('the scan sees the variables of every service, including the ones the issue found missing', () => {
    for (const name of ['PLANEXE_DOWNLOAD_TOKEN_KEYS', 'PLANEXE_ARTIFACTS_COPY_CONNECTIONS', 'PLANEXE_ARTIFACTS_WORKER_MAX_BYTES', 'PLANEXE_URL']) {
      expect(table.has(name), name).toBe(true);
    }
  });
});
