/**
 * The proxy as a user installs it: `npm pack` of this package (which builds dist/), then `npm install --offline`
 * of the tarball into an empty folder outside the repository — no workspace, no tsx, nothing from the npm
 * registry (the package has no dependencies, so the install needs no network).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PACKAGE_DIR = join(import.meta.dirname, '..');

export interface InstalledProxy {
  /** The folder it was installed into (has package.json and node_modules/). */
  dir: string;
  /** node_modules/.bin/planexe-local-proxy */
  bin: string;
  /** node_modules/@planexe/local-proxy */
  packageDir: string;
  /** PATH with only this node and the system folders (no repository node_modules/.bin). */
  path: string;
  remove(): Promise<void>;
}

export async function installPackedProxy(): Promise<InstalledProxy> {
  const work = await mkdtemp(join(tmpdir(), 'planexe-proxy-pack-'));
  const path = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  // npm itself must run on this node: put it first, keep the rest of PATH so npm is found
  const npmEnv = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PACKAGE_DIR, env: npmEnv });
  const tarball = join(work, stdout.trim().split('\n').at(-1)!);
  const dir = join(work, 'app');
  await mkdir(dir);
  // a package.json of its own pins npm's prefix here (not a parent folder's)
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'proxy-install-check', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir, env: npmEnv });
  return {
    dir,
    bin: join(dir, 'node_modules', '.bin', 'planexe-local-proxy'),
    packageDir: join(dir, 'node_modules', '@planexe', 'local-proxy'),
    path,
    remove: () => rm(work, { recursive: true, force: true }),
  };
}
