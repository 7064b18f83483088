/**
 * The production images and docker-compose.yml, run for real with podman: the images are built (the Node base,
 * Postgres, Redis and NATS from Debian's packages when missing), podman-compose brings the system up from the compose
 * file, and an MCP SDK client drives the agent flow through the gateway container against two worker containers and
 * the offline model server. Then the operational properties: health checks, one migration run under concurrent
 * starts, no root process, no secret in an image, SIGKILL take-over, SIGTERM drains. Run: `npm run test:containers`.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ComposeProject, ensureTooling, inspect, must, ROOT, sh, waitFor, type Container } from './podman.ts';

const APP_SERVICES = ['gateway', 'tools', 'stream', 'artifacts', 'worker'];
const INFRA_SERVICES = ['database_postgres', 'redis', 'nats', 'fake-llm'];
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true });
// present in the environment of the image build on purpose: none of them may end up in an image
const SECRETS = {
  PLANEXE_INTERNAL_SECRET: `ctr-internal-${randomBytes(8).toString('hex')}`,
  PLANEXE_API_KEY_SECRET: `ctr-keys-${randomBytes(8).toString('hex')}`,
  PLANEXE_DOWNLOAD_TOKEN_SECRET: `ctr-downloads-${randomBytes(8).toString('hex')}`,
  OPENAI_API_KEY: `sk-ctr-${randomBytes(8).toString('hex')}`,
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '0.0.0.0', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

function payloadOf(result: any): any {
  return JSON.parse(result.content[0].text);
}

const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)![1]);

let proj: ComposeProject;
let images: Record<string, string>;
let gateway: string;
let llmDir: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const t0 = Date.now();
  ensureTooling();
  timings.tooling = Date.now() - t0;
  const tb = Date.now();
  // a tag of this run's own: another run on the same host (another checkout) must not swap the image under it
  const out = await must('bash', [`${ROOT}deploy/images/build-images.sh`], { ...SECRETS, PLANEXE_IMAGE_TAG: `run-${randomBytes(4).toString('hex')}` }, 1_200_000);
  timings.images = Date.now() - tb;
  images = Object.fromEntries(out.trim().split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=') as [string, string]));
  expect(Object.keys(images).sort()).toEqual(['PLANEXE_FAKE_LLM_IMAGE', 'PLANEXE_IMAGE', 'PLANEXE_NATS_IMAGE', 'PLANEXE_POSTGRES_IMAGE', 'PLANEXE_REDIS_IMAGE']);

  // the workers' LLM profiles: the offline model server of libs/testing, by its compose service name
  llmDir = mkdtempSync(join(tmpdir(), 'planexe-ctr-llm-'));
  const entry = (model: string, priority: number) => ({
    class: 'OpenAILike',
    arguments: { model, api_base: 'http://fake-llm:11435/v1', api_key: 'offline', temperature: 0.1, timeout: 30 },
    priority,
    luigi_workers: 4,
    pricing: { input_per_million_tokens: 1, output_per_million_tokens: 2 },
  });
  writeFileSync(join(llmDir, 'baseline.json'), JSON.stringify({ 'fake-primary': entry('fake-model', 1), 'fake-backup': entry('fake-backup', 2) }));
  chmodSync(llmDir, 0o755);
  chmodSync(join(llmDir, 'baseline.json'), 0o644);

  const port = await freePort();
  gateway = `http://127.0.0.1:${port}`;
  proj = new ComposeProject(`planexe-ctr-${randomBytes(3).toString('hex')}`, {
    ...images,
    ...SECRETS,
    PLANEXE_GATEWAY_PORT: String(port),
    PLANEXE_MCP_PUBLIC_BASE_URL: gateway,
    PLANEXE_LLM_CONFIG_DIR: llmDir,
    PLANEXE_LOG_LEVEL: 'warn',
    FAKE_LLM_LATENCY_MS: '60',
    // take-over after a SIGKILL within seconds instead of minutes
    PLANEXE_QUEUE_LOCK_SECONDS: '5',
    PLANEXE_WORKER_STALE_SECONDS: '5',
  });
  const tu = Date.now();
  // podman-compose 1.0.3 does not know profiles: the services are named (the OpenTelemetry collector has no image here)
  await proj.compose(['up', '-d', '--no-build', ...INFRA_SERVICES, ...APP_SERVICES], 300_000);
  timings.up = Date.now() - tu;
}, 1_500_000);

afterAll(async () => {
  const td = Date.now();
  if (proj) await proj.compose(['down', '-v', '-t', '5']).catch((e) => console.error(String(e)));
  if (proj) await sh('podman', ['network', 'rm', '-f', `${proj.project}_default`]);
  if (llmDir) rmSync(llmDir, { recursive: true, force: true });
  // untag this run's images; their layers stay in the build cache for the next run
  if (images) await sh('podman', ['rmi', images.PLANEXE_IMAGE, images.PLANEXE_FAKE_LLM_IMAGE]);
  timings.down = Date.now() - td;
  console.log(`container suite timings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
}, 300_000);

describe.sequential('the compose system in containers (podman)', () => {
  it('health checks turn healthy on every service container, two tools and two worker replicas included', async () => {
    const t0 = Date.now();
    const checked = [...APP_SERVICES, 'database_postgres', 'redis', 'fake-llm'];
    const all = (await proj.containers()).filter((c) => checked.includes(c.service));
    expect((await proj.of('tools')).length).toBe(2);
    expect((await proj.of('worker')).length).toBe(2);
    // podman schedules health checks with systemd timers; without systemd they are run here, as its timer would
    await Promise.all(
      all.map((c) =>
        waitFor(`${c.name} healthy`, async () => ((await sh('podman', ['healthcheck', 'run', c.name])).code === 0 ? true : undefined), 180_000, 2000),
      ),
    );
    for (const c of all) {
      const state = (await inspect(c.name)).State;
      expect(state.Health?.Status ?? state.Healthcheck?.Status, c.name).toBe('healthy');
    }
    // and through the published port: the gateway ready, every dependency it checks healthy
    await waitFor('the gateway ready with every dependency healthy', async () => {
      const ready = await fetch(`${gateway}/readyz`).then((r) => r.ok, () => false);
      const health = await fetch(`${gateway}/healthcheck`).then((r) => r.json() as Promise<{ status?: string }>, () => undefined);
      return ready && health?.status === 'healthy' ? true : undefined;
    }, 120_000);
    timings.healthy = Date.now() - t0;
  }, 240_000);

  it('ran the migrations once although the replicas started together', async () => {
    const started = await Promise.all((await proj.containers()).filter((c) => APP_SERVICES.includes(c.service)).map(async (c) => Date.parse((await inspect(c.name)).State.StartedAt)));
    expect(started.length).toBe(7);
    const files = readdirSync(`${ROOT}libs/db/migrations`).filter((f) => f.endsWith('.sql')).sort();
    const rows = await proj.sql('select name, count(*) from planexe_schema_migrations group by name order by name');
    expect(rows).toEqual(files.map((f) => [f, '1']));
    expect((await proj.sql("select count(*) from pg_tables where tablename = 'plans'"))[0][0]).toBe('1');
  });

  it('runs no process as root in any container', async () => {
    for (const c of await proj.containers()) {
      const out = await must('podman', ['top', c.name, 'user', 'huser', 'args']);
      const procs = out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      expect(procs.length, c.name).toBeGreaterThan(0);
      for (const [user, huser, ...args] of procs) {
        expect([user, huser], `${c.name}: ${args.join(' ')}`).not.toContain('root');
        expect(huser, c.name).not.toBe('0');
      }
    }
  });

  it('bakes no secret and no TypeScript tooling into the images; secrets reach the containers from the environment', async () => {
    for (const image of [images.PLANEXE_IMAGE, images.PLANEXE_FAKE_LLM_IMAGE]) {
      const info = await inspect(image, 'image');
      console.log(`${image}: ${(info.Size / 1e6).toFixed(0)} MB`);
      expect(info.Config.User, image).toBe('node');
      for (const e of info.Config.Env as string[]) expect(e, image).not.toMatch(/^[A-Z_]*(SECRET|PASSWORD|API_KEY|TOKEN)[A-Z_]*=/);
      const history = await must('podman', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', image]);
      const mount = (await must('podman', ['image', 'mount', image])).trim();
      try {
        for (const value of Object.values(SECRETS)) {
          expect(history, image).not.toContain(value);
          // grep exits 1 when nothing matches
          expect((await sh('grep', ['-rlF', value, `${mount}/app`])).code, `${value} in ${image}`).toBe(1);
        }
        expect((await sh('find', [`${mount}/app`, '-name', '.env*', '-o', '-name', '.npmrc'])).stdout.trim(), image).toBe('');
        for (const pkg of ['tsx', 'esbuild', 'typescript', 'vitest']) expect((await sh('test', ['-e', `${mount}/app/node_modules/${pkg}`])).code, `${pkg} in ${image}`).toBe(1);
        const ts = await must('find', [`${mount}/app`, '-path', `${mount}/app/node_modules`, '-prune', '-o', '-name', '*.ts', '-print']);
        expect(ts.trim(), image).toBe('');
      } finally {
        await sh('podman', ['image', 'unmount', image]);
      }
    }
    const [gw] = await proj.of('gateway');
    expect((await inspect(gw.name)).Config.Env).toContain(`PLANEXE_INTERNAL_SECRET=${SECRETS.PLANEXE_INTERNAL_SECRET}`);
    // the service image runs the compiled bundle with plain node, read-only
    const cmd = await must('podman', ['top', gw.name, 'args']);
    expect(cmd).toMatch(/node --enable-source-maps dist\/gateway\/main\.js/);
    expect((await inspect(gw.name)).HostConfig.ReadonlyRootfs).toBe(true);
  });

  it('runs the compiled admin CLI in the gateway container (how an operator creates users and keys)', async () => {
    const [gw] = await proj.of('gateway');
    const email = `ops-${randomBytes(3).toString('hex')}@example.org`;
    await must('podman', ['exec', gw.name, 'node', 'dist/admin/main.js', 'user', 'create', '--email', email, '--credits', '3']);
    const created = JSON.parse(await must('podman', ['exec', gw.name, 'node', 'dist/admin/main.js', 'key', 'create', '--user', email]));
    expect(created.key.length).toBeGreaterThan(20);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(await proj.sql(`select count(*) from user_account where email = '${email}'`)).toEqual([['1']]);
  });

  it('runs the agent flow through the gateway; a worker SIGKILLed mid-plan is replaced by the other, which finishes it', async () => {
    const client = new Client({ name: 'container-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway}/mcp`)));
    const call = async (name: string, args: Record<string, unknown> = {}) => payloadOf(await client.callTool({ name, arguments: args }));
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(11);
      // the workers probe the model server and cache the answer; right after a start on a busy host the first probe can
      // have failed, and plan_create then refuses with NO_MODEL_AVAILABLE (as it should) until a probe succeeds
      let created: any;
      await waitFor(
        'a reachable baseline model',
        async () => {
          created = await call('plan_create', { prompt: 'Open a community tool library in Aarhus with 400,000 DKK within nine months.' });
          return created.error?.code === 'NO_MODEL_AVAILABLE' ? undefined : true;
        },
        120_000,
        5000, // few calls: the gateway's default rate limit (60 MCP requests a window per client) stays on
      );
      const id = created.plan_id as string;
      if (typeof id !== 'string') throw new Error(`plan_create answered ${JSON.stringify(created)}`);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      // the worker container that claimed the plan, once it has persisted some steps
      const workers = await Promise.all((await proj.of('worker')).map(async (c) => ({ ...c, host: (await inspect(c.name)).Config.Hostname as string })));
      const claimed = await waitFor(
        'a worker to claim the plan and persist steps',
        async () => {
          const [row] = await proj.sql(`select claimed_by, (select count(*) from plan_files where plan_id = '${id}') from plans where id = '${id}'`);
          return row && row[0] && Number(row[1]) >= 5 ? row[0] : undefined;
        },
        120_000,
        300,
      );
      const victim = workers.find((w) => claimed.startsWith(`${w.host}-`)) as (Container & { host: string }) | undefined;
      expect(victim, `claimed_by ${claimed} matches no worker container (${workers.map((w) => w.host)})`).toBeDefined();
      await must('podman', ['kill', '--signal', 'KILL', victim!.name]);
      expect((await call('plan_status', { plan_id: id })).state).not.toBe('completed');

      const status = await waitFor(
        'the plan to complete on the other worker',
        async () => {
          const s = await call('plan_status', { plan_id: id });
          if (s.state === 'failed' || s.state === 'stopped') throw new Error(`plan ended ${s.state}: ${JSON.stringify(s)}`);
          return s.state === 'completed' ? s : undefined;
        },
        240_000,
        2000,
      );
      expect(status.progress_percentage).toBe(100);
      const [[finisher]] = await proj.sql(`select claimed_by from plans where id = '${id}'`);
      const other = workers.find((w) => w.name !== victim!.name)!;
      expect(finisher.startsWith(`${other.host}-`), `finished by ${finisher}`).toBe(true);

      const info = await call('plan_file_info', { plan_id: id });
      expect(info.download_url.startsWith(`${gateway}/download/`)).toBe(true);
      const res = await fetch(info.download_url);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
    } finally {
      await client.close().catch(() => {});
    }
  }, 420_000);

  it('drains every service on SIGTERM within its grace period (exit code 0, not killed)', async () => {
    const running = [];
    for (const c of (await proj.containers()).filter((x) => APP_SERVICES.includes(x.service))) {
      if ((await inspect(c.name)).State.Running) running.push(c);
    }
    expect(new Set(running.map((c) => c.service))).toEqual(new Set(APP_SERVICES));
    const results = await Promise.all(
      running.map(async (c) => {
        const grace = seconds(compose.services[c.service].stop_grace_period);
        const t0 = Date.now();
        await must('podman', ['stop', '-t', String(grace), c.name]);
        const ms = Date.now() - t0;
        const state = (await inspect(c.name)).State;
        return { name: c.name, grace, ms, exit: state.ExitCode as number };
      }),
    );
    console.log(results.map((r) => `${r.name}: ${r.ms} ms (grace ${r.grace} s), exit ${r.exit}`).join('\n'));
    for (const r of results) {
      expect(r.exit, r.name).toBe(0);
      expect(r.ms, r.name).toBeLessThan(r.grace * 1000);
    }
  }, 180_000);
});
