/**
 * The fault suite's own Postgres, Redis and NATS, on their own ports and data directories, so that stopping them
 * never touches the shared servers on 5432 / 6379 / 4222 that other test runs use.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import pg from 'pg';

const PG_BIN = process.env.PLANEXE_FAULTS_PG_BIN ?? '';
const bin = (name: string) => (PG_BIN ? join(PG_BIN, name) : name);
/** Postgres refuses to run as root: as root, its tools run as the `postgres` user. */
const asRoot = process.getuid?.() === 0;
const pgTool = (name: string, args: string[]) =>
  execFileSync(asRoot ? 'runuser' : bin(name), asRoot ? ['-u', 'postgres', '--', bin(name), ...args] : args, { stdio: 'ignore' });
const postgresUid = () => Number(execFileSync('id', ['-u', 'postgres']).toString().trim());

export function waitTcp(port: number, up = true, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const probe = () => {
      const s = net.connect({ host: '127.0.0.1', port });
      const retry = (ok: boolean) => {
        s.destroy();
        if (ok === up) return resolve();
        if (Date.now() - t0 > ms) return reject(new Error(`port ${port} did not ${up ? 'open' : 'close'} in ${ms} ms`));
        setTimeout(probe, 100);
      };
      s.once('connect', () => retry(true));
      s.once('error', () => retry(false));
    };
    probe();
  });
}

export interface OwnInfra {
  pgAdminUrl: string;
  redisUrl: string;
  natsUrl: string;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** SIGKILL; startRedis() brings it back with no data (a Redis restarted empty). */
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  /** SIGKILL and start again with no data. */
  restartRedisEmpty(): Promise<void>;
  flushRedis(): Promise<void>;
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnInfra(ports: { pg: number; redis: number; nats: number }): Promise<OwnInfra> {
  const dir = mkdtempSync(join(tmpdir(), 'planexe-faults-'));
  if (asRoot) chownSync(dir, postgresUid(), -1);
  const pgData = join(dir, 'pg');
  pgTool('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const pgCtl = (...args: string[]) => pgTool('pg_ctl', ['-D', pgData, '-l', join(dir, 'pg.log'), '-w', '-t', '60', ...args]);
  const pgOpts = `-p ${ports.pg} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
  const startPostgres = async () => {
    pgCtl('-o', pgOpts, 'start');
    await waitTcp(ports.pg);
  };
  await startPostgres();
  const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${ports.pg}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE test');
  await admin.end();

  let redis: ChildProcess | undefined;
  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(ports.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitTcp(ports.redis);
  };
  await startRedis();

  let nats: ChildProcess | undefined;
  const startNats = async () => {
    nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(ports.nats), '-js', '-sd', join(dir, 'nats')], { stdio: 'ignore' });
    await waitTcp(ports.nats);
  };
  await startNats();

  const kill = async (c: ChildProcess | undefined, port: number) => {
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
    await waitTcp(port, false);
  };

  return {
    pgAdminUrl: `postgresql://postgres@127.0.0.1:${ports.pg}/test`,
    redisUrl: `redis://127.0.0.1:${ports.redis}`,
    natsUrl: `nats://127.0.0.1:${ports.nats}`,
    // fast shutdown: sessions are terminated, as when a database server goes away
    stopPostgres: async () => {
      pgCtl('-m', 'fast', 'stop');
      await waitTcp(ports.pg, false);
    },
    startPostgres,
    stopRedis: () => kill(redis, ports.redis),
    startRedis,
    restartRedisEmpty: async () => {
      await kill(redis, ports.redis);
      await startRedis();
    },
    flushRedis: async () => {
      execFileSync('redis-cli', ['-p', String(ports.redis), 'FLUSHALL'], { stdio: 'ignore' });
    },
    stopNats: () => kill(nats, ports.nats),
    startNats,
    close: async () => {
      await kill(redis, ports.redis).catch(() => {});
      await kill(nats, ports.nats).catch(() => {});
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
