/**
 * What the container suite needs from the host: podman, runc, debootstrap and podman-compose (installed from Debian
 * when missing), the images (deploy/images/build-images.sh), and the compose system from docker-compose.yml under
 * its own project name, network and gateway port. Every container is started by podman-compose from the compose
 * file; this module only inspects, signals and execs into them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CONTAINERS_CONF = `${ROOT}deploy/images/containers.conf`;
const run = promisify(execFile);

const TOOLS: Record<string, string> = { podman: 'podman', runc: 'runc', debootstrap: 'debootstrap', 'podman-compose': 'podman-compose' };

/** Installs the Debian packages of the tools that are missing (the suite runs as root in CI). */
export function ensureTooling(): void {
  const missing = Object.entries(TOOLS).filter(([bin]) => !['/usr/bin', '/usr/sbin', '/usr/local/bin'].some((d) => existsSync(`${d}/${bin}`)));
  if (!missing.length) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing.map(([, pkg]) => pkg)], { stdio: 'inherit', env });
}

export interface Sh {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command with the repository's podman settings; resolves with its exit code instead of throwing. */
export async function sh(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 600_000): Promise<Sh> {
  try {
    const r = await run(cmd, args, { cwd: ROOT, env: { ...process.env, CONTAINERS_CONF, ...env }, maxBuffer: 64 << 20, timeout: timeoutMs });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number | string };
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? String(e), code: typeof err.code === 'number' ? err.code : 1 };
  }
}

export async function must(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<string> {
  const r = await sh(cmd, args, env, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

export interface Container {
  name: string;
  service: string;
  id: string;
}

export class ComposeProject {
  constructor(
    readonly project: string,
    readonly env: Record<string, string>,
  ) {}

  compose(args: string[], timeoutMs?: number): Promise<string> {
    return must('podman-compose', ['-p', this.project, '-f', `${ROOT}docker-compose.yml`, ...args], this.env, timeoutMs);
  }

  async containers(): Promise<Container[]> {
    const out = await must('podman', ['ps', '-a', '--filter', `label=io.podman.compose.project=${this.project}`, '--format', 'json']);
    return (JSON.parse(out || '[]') as Array<{ Names: string[]; Id: string; Labels: Record<string, string> }>).map((c) => ({
      name: c.Names[0],
      id: c.Id,
      service: c.Labels['com.docker.compose.service'],
    }));
  }

  async of(service: string): Promise<Container[]> {
    return (await this.containers()).filter((c) => c.service === service).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** SQL through psql inside the Postgres container; rows as arrays of strings. */
  async sql(query: string): Promise<string[][]> {
    const [pgc] = await this.of('database_postgres');
    const out = await must('podman', ['exec', pgc.name, 'psql', '-U', 'planexe', '-d', 'planexe', '-AtF', '\t', '-c', query]);
    return out.trim() ? out.trim().split('\n').map((l) => l.split('\t')) : [];
  }
}

export async function inspect(nameOrId: string, kind: 'container' | 'image' = 'container'): Promise<any> {
  return JSON.parse(await must('podman', [kind, 'inspect', nameOrId]))[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value other than undefined, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
