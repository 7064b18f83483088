import net from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgliteDb, createPostgresDb, migrate, type DbHandle } from '@planexe/db';

/**
 * Real infrastructure for tests: Postgres, Redis and NATS on their default loopback ports. When one is not
 * reachable its tests are skipped, unless PLANEXE_TEST_REQUIRE_INFRA=1 (set in CI) turns that into a failure.
 */
export const REQUIRE_INFRA = process.env.PLANEXE_TEST_REQUIRE_INFRA === '1';
export const PG_ADMIN_URL = process.env.PLANEXE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.PLANEXE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.PLANEXE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function check(name: string, url: string): Promise<boolean> {
  const u = new URL(url);
  const ok = await tcpReachable(u.hostname, Number(u.port));
  if (!ok && REQUIRE_INFRA) throw new Error(`${name} at ${url} is not reachable and PLANEXE_TEST_REQUIRE_INFRA=1`);
  return ok;
}

export const postgresAvailable = () => check('Postgres', PG_ADMIN_URL);
export const redisAvailable = () => check('Redis', REDIS_URL);
export const natsAvailable = () => check('NATS', NATS_URL);

/** A fresh, migrated database on the Postgres server, dropped on close; isolates parallel test files. */
export async function createTestPostgresDb(): Promise<DbHandle & { url: string }> {
  const name = `planexe_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const h = createPostgresDb(url, { max: 5 });
  await migrate(h.db);
  return {
    ...h,
    url,
    close: async () => {
      await h.close();
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestPgliteDb(): Promise<DbHandle> {
  const h = await createPgliteDb();
  await migrate(h.db);
  return h;
}

export type DbKind = 'postgres' | 'pglite';

/** Both dialects, for contract suites: `describe.each(await dbKinds())`. Postgres is dropped when not reachable. */
export async function dbKinds(): Promise<DbKind[]> {
  return (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite'];
}

export function createTestDb(kind: DbKind): Promise<DbHandle> {
  return kind === 'postgres' ? createTestPostgresDb() : createTestPgliteDb();
}
