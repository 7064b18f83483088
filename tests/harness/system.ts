/**
 * The distributed system as separate processes on loopback, against real Postgres/Redis/NATS:
 * 2 gateways, 2 tools, 2 streams, 1 artifacts, 2 workers and the fake LLM. Used by `npm run system`, the
 * multi-process system test and the local load harness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPostgresDb, migrate } from '@planexe/db';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { NATS_URL, PG_ADMIN_URL, REDIS_URL } from '@planexe/testing/infra';
import { fakeProfileDir } from '../../services/worker/test/workerHarness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SystemProcess {
  name: string;
  service: string;
  port: number;
  child: ChildProcess;
  /** Set by a test that killed the process deliberately (fault suites count every other exit as a crash). */
  killedOnPurpose?: boolean;
}

export interface System {
  gateways: string[];
  streams: string[];
  tools: string[];
  artifacts: string;
  databaseUrl: string;
  fake: FakeLlm;
  procs: SystemProcess[];
  env: Record<string, string>;
  /** Starts (another) worker process; returns it. */
  startWorker(name: string): Promise<SystemProcess>;
  kill(name: string, signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}

function waitPort(port: number, ms = 90_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() - t0 > ms) reject(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 150);
      });
    };
    attempt();
  });
}

export interface SystemOptions {
  basePort?: number;
  llmLatencyMs?: number;
  otlpEndpoint?: string;
  requireAuth?: boolean;
  quiet?: boolean;
  extraEnv?: Record<string, string>;
  /** Postgres (admin URL), Redis and NATS to run on; default the shared ones on their standard ports. */
  infra?: { pgAdminUrl: string; redisUrl: string; natsUrl: string };
  /** Keep the production defaults of heartbeat, stale limit, reconcile period and queue lock (no test shortcuts). */
  productionTiming?: boolean;
  /** Extra node flags for every service process (e.g. --unhandled-rejections=strict). */
  nodeArgs?: string[];
  /** A second artifacts replica, and every gateway given the list of all replicas of each service (not one each). */
  replicatedUpstreams?: boolean;
  /** How long a process may take to open its port (default 90 s; a loaded machine starting nine tsx processes needs more). */
  readyTimeoutMs?: number;
}

export async function startSystem(o: SystemOptions = {}): Promise<System> {
  // PLANEXE_TEST_PORT_SHIFT moves every fixed port block, so that two checkouts can run the suites side by side.
  const base = (o.basePort ?? 9100) + Number(process.env.PLANEXE_TEST_PORT_SHIFT ?? 0);
  const pgAdmin = o.infra?.pgAdminUrl ?? PG_ADMIN_URL;
  const ns = `sys${randomBytes(3).toString('hex')}`;
  const dbName = `planexe_${ns}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = pgAdmin.replace(/\/[^/]*$/, `/${dbName}`);
  const h = createPostgresDb(databaseUrl, { max: 2 });
  await migrate(h.db);
  await h.close();
  const fake = await startFakeLlm({ latencyMs: o.llmLatencyMs ?? 20 });
  const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
  const runDir = mkdtempSync(join(tmpdir(), 'planexe-system-run-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    SQLALCHEMY_DATABASE_URI: databaseUrl,
    PLANEXE_REDIS_URL: o.infra?.redisUrl ?? REDIS_URL,
    PLANEXE_NATS_URL: o.infra?.natsUrl ?? NATS_URL,
    PLANEXE_REDIS_PREFIX: `planexe-${ns}`,
    PLANEXE_NATS_NAMESPACE: ns,
    PLANEXE_INTERNAL_SECRET: `internal-${ns}`,
    PLANEXE_API_KEY_SECRET: `keys-${ns}`,
    PLANEXE_DOWNLOAD_TOKEN_SECRET: `downloads-${ns}`,
    PLANEXE_MCP_REQUIRE_AUTH: o.requireAuth ? 'true' : 'false',
    PLANEXE_MCP_HTTP_HOST: '127.0.0.1',
    PLANEXE_CONFIG_PATH: cfg,
    PLANEXE_RUN_DIR: runDir,
    FAKE_LLM_KEY: 'k',
    PLANEXE_LOG_LEVEL: 'warn',
    PLANEXE_MCP_RATE_LIMIT: '0',
    ...(o.productionTiming ? {} : { PLANEXE_WORKER_STALE_SECONDS: '5', PLANEXE_QUEUE_LOCK_SECONDS: '5' }),
    ...(o.otlpEndpoint ? { PLANEXE_OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpEndpoint } : {}),
    ...o.extraEnv,
  };
  const procs: SystemProcess[] = [];
  const start = async (name: string, service: string, port: number, extra: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', `services/${service}/src/main.ts`], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), ...extra },
      stdio: ['ignore', o.quiet === false ? 'inherit' : 'ignore', 'inherit'],
    });
    const p = { name, service, port, child };
    procs.push(p);
    await waitPort(port, o.readyTimeoutMs);
    return p;
  };
  const workerUrl = `http://127.0.0.1:${base + 5}`;
  // a failed start must not leave processes behind (they would hold the ports of the next run)
  const killAll = () => procs.forEach((p) => p.child.exitCode === null && p.child.kill('SIGKILL'));
  process.once('exit', killAll);
  try {
  await Promise.all([
    start('tools-1', 'tools', base + 2, { PLANEXE_WORKER_PLAN_URL: workerUrl }),
    start('tools-2', 'tools', base + 12, { PLANEXE_WORKER_PLAN_URL: workerUrl }),
    start('stream-1', 'stream', base + 3),
    start('stream-2', 'stream', base + 13),
    start('artifacts', 'artifacts', base + 4, { PLANEXE_WORKER_PLAN_URL: workerUrl }),
    ...(o.replicatedUpstreams ? [start('artifacts-2', 'artifacts', base + 14, { PLANEXE_WORKER_PLAN_URL: workerUrl })] : []),
    start('worker-1', 'worker', base + 5, { PLANEXE_WORKER_HTTP_PORT: String(base + 5), PLANEXE_WORKER_ID: 'worker-1' }),
    start('worker-2', 'worker', base + 15, { PLANEXE_WORKER_HTTP_PORT: String(base + 15), PLANEXE_WORKER_ID: 'worker-2' }),
  ]);
  const all = (...ports: number[]) => ports.map((p) => `http://127.0.0.1:${p}`).join(',');
  const gw = (i: number) => o.replicatedUpstreams ? {
    PLANEXE_TOOLS_URL: all(base + 2, base + 12),
    PLANEXE_STREAM_URL: all(base + 3, base + 13),
    PLANEXE_ARTIFACTS_URL: all(base + 4, base + 14),
  } : ({
    PLANEXE_TOOLS_URL: `http://127.0.0.1:${base + (i === 1 ? 2 : 12)}`,
    PLANEXE_STREAM_URL: `http://127.0.0.1:${base + (i === 1 ? 3 : 13)}`,
    PLANEXE_ARTIFACTS_URL: `http://127.0.0.1:${base + 4}`,
  });
  await Promise.all([start('gateway-1', 'gateway', base + 1, gw(1)), start('gateway-2', 'gateway', base + 11, gw(2))]);
  } catch (e) {
    killAll();
    await fake.close();
    throw e;
  }
  let extraWorkers = 0;
  return {
    gateways: [`http://127.0.0.1:${base + 1}`, `http://127.0.0.1:${base + 11}`],
    streams: [`http://127.0.0.1:${base + 3}`, `http://127.0.0.1:${base + 13}`],
    tools: [`http://127.0.0.1:${base + 2}`, `http://127.0.0.1:${base + 12}`],
    artifacts: `http://127.0.0.1:${base + 4}`,
    databaseUrl,
    fake,
    procs,
    env,
    startWorker: (name) => {
      const port = base + 25 + extraWorkers++;
      return start(name, 'worker', port, { PLANEXE_WORKER_HTTP_PORT: String(port), PLANEXE_WORKER_ID: name });
    },
    kill: (name, signal = 'SIGKILL') => procs.find((p) => p.name === name)?.child.kill(signal),
    stop: async () => {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.child.exitCode !== null || p.child.signalCode) return resolve();
              p.child.once('exit', () => resolve());
              p.child.kill('SIGTERM');
              setTimeout(() => p.child.kill('SIGKILL'), 5_000).unref();
            }),
        ),
      );
      await fake.close();
      const c = new pg.Client({ connectionString: pgAdmin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    },
  };
}
