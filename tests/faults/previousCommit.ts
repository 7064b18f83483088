/**
 * A checkout of an earlier commit, runnable beside the current one (a rolling deploy): the tree from `git archive`,
 * with a node_modules whose third-party packages are this checkout's and whose workspace packages (@planexe/*)
 * point into the old tree, so the old worker runs the old code throughout.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function checkoutPrevious(root: string, ref: string): { dir: string; commit: string; remove(): void } {
  // CI runs the tests from a copy of the checkout without .git (.ci/run); PLANEXE_GIT_ROOT names the checkout it came from
  const gitRoot = process.env.PLANEXE_GIT_ROOT || root;
  const commit = execSync(`git rev-parse --verify ${JSON.stringify(`${ref}^{commit}`)}`, { cwd: gitRoot }).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'planexe-previous-'));
  execSync(`git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`, { cwd: gitRoot, shell: '/bin/bash' });
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@planexe'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === '@planexe' || name === '.bin') continue;
    symlinkSync(join(root, 'node_modules', name), join(nm, name));
  }
  // workspace links are relative (../../libs/x): recreated as they are, they resolve inside the old tree
  for (const name of readdirSync(join(root, 'node_modules', '@planexe'))) {
    symlinkSync(readlinkSync(join(root, 'node_modules', '@planexe', name)), join(nm, '@planexe', name));
  }
  return { dir, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
