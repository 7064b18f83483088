import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from './connect.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
const LOCK_ID = 8462357421; // same advisory lock id upstream uses for its schema steps

/**
 * Applies the plain, ordered, never-edited SQL files in libs/db/migrations once each, under an advisory lock so
 * that replicas starting together do not race. Kysely's Migrator wants TS modules; ours are SQL files, so this
 * small runner is hand-written.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_ID})`.execute(tx);
    await sql`create table if not exists planexe_schema_migrations (
      name varchar(255) primary key,
      applied_at timestamp not null default (now() at time zone 'utc'))`.execute(tx);
    const done = new Set(
      (await sql<{ name: string }>`select name from planexe_schema_migrations`.execute(tx)).rows.map((r) => r.name),
    );
    for (const f of files) {
      if (done.has(f)) continue;
      for (const stmt of splitSqlStatements(readFileSync(join(dir, f), 'utf8'))) await sql.raw(stmt).execute(tx);
      await sql`insert into planexe_schema_migrations (name) values (${f})`.execute(tx);
      applied.push(f);
    }
  });
  return applied;
}

/**
 * Splits a migration file into statements (drivers prepare one statement at a time): a statement ends with a `;`
 * at the end of a line outside a `$$` block. Comment-only chunks are dropped.
 */
export function splitSqlStatements(text: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let inDollar = false;
  for (const line of text.split('\n')) {
    if (!cur.length && /^\s*(--.*)?$/.test(line)) continue;
    cur.push(line);
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*(--.*)?$/.test(line)) {
      out.push(cur.join('\n'));
      cur = [];
    }
  }
  if (cur.join('').trim()) out.push(cur.join('\n'));
  return out;
}
