import { Kysely, PostgresDialect, PGliteDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { Database } from './schema.ts';
import { attachPglite } from './pgliteCopy.ts';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

// timestamp without time zone holds UTC (spec/data-and-worker.md §1.1): parse it as UTC, whatever TZ the process has.
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (s: string) => new Date(s.replace(' ', 'T') + 'Z');
const NUMERIC_OID = 1700;
const INT8_OID = 20;
const BYTEA_OID = 17;
// PGlite's own bytea codec converts hex one byte at a time in JS (minutes for a 200 MB artifact, and a string per
// byte on the way in); Buffer's native hex codec does the same work at memory speed.
const parseBytea = (s: string) => Buffer.from(s.slice(2), 'hex');
const serializeBytea = (b: Uint8Array | string) =>
  typeof b === 'string' ? b : '\\x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function createPostgresDb(url: string, opts: { max?: number } = {}): DbHandle {
  const types = {
    getTypeParser: (oid: number, format?: any) => {
      if (oid === TIMESTAMP_OID) return parseUtcTimestamp;
      return (pg.types.getTypeParser as any)(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // writes of JS Dates and now() must land as UTC in `timestamp` columns
    options: '-c TimeZone=UTC',
    types,
  });
  pool.on('error', () => {
    /* a broken idle client is dropped by the pool; the next query reconnects */
  });
  // A client checked out between two queries (a transaction waiting on other work) has no listener of its own: the
  // server going away would emit an unhandled 'error' and end the process. The failure still reaches the caller
  // through its next query, and the pool discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** Embedded Postgres (WASM). `dataDir` undefined or `memory://` → in memory. */
export async function createPgliteDb(dataDir?: string): Promise<DbHandle> {
  const inMemory = !dataDir || dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : dataDir, {
    parsers: { [TIMESTAMP_OID]: parseUtcTimestamp, [NUMERIC_OID]: (s: string) => s, [INT8_OID]: (s: string) => s, [BYTEA_OID]: parseBytea },
    serializers: { [BYTEA_OID]: serializeBytea },
  });
  await pglite.exec(`SET TIME ZONE 'UTC'`);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: pglite as any }) });
  attachPglite(db, pglite);
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export async function pingDb(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
