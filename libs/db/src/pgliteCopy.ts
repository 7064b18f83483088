import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The same type as connect.ts's `Db`, spelled here so the two files do not import each other. */
type Db = Kysely<Database>;

/**
 * The embedded PGlite behind a Kysely instance, for the one thing Kysely cannot ask of it: `COPY … TO '/dev/blob'`,
 * PGlite's binary side channel. Through the query interface a bytea travels as hex text, encoded in WASM, decoded
 * in JS; through /dev/blob the bytes come out as they are stored.
 */
const instances = new WeakMap<Db, PGlite>();

export function attachPglite(db: Db, pglite: PGlite): void {
  instances.set(db, pglite);
}

export function pgliteOf(db: Db): PGlite | undefined {
  return instances.get(db);
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The field bytes of a `COPY … (FORMAT binary)` of single-column bytea rows (views into `buf`, not copies). */
export function copyBinaryFields(buf: Buffer): Buffer[] {
  if (buf.length < 19 || !buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  let p = 19 + buf.readUInt32BE(15);
  const out: Buffer[] = [];
  for (;;) {
    const fields = buf.readInt16BE(p);
    if (fields === -1) return out;
    if (fields !== 1) throw new Error(`unexpected COPY row with ${fields} fields`);
    const len = buf.readInt32BE(p + 2);
    if (len < 0) throw new Error('unexpected NULL in COPY stream');
    out.push(buf.subarray(p + 6, p + 6 + len));
    p += 6 + len;
  }
}

/** Runs a `COPY (select one bytea) TO '/dev/blob' (FORMAT binary)` on PGlite and returns the column values. */
export async function pgliteCopyOut(pglite: PGlite, selectSql: string): Promise<Buffer[]> {
  const r = await pglite.query(`COPY (${selectSql}) TO '/dev/blob' WITH (FORMAT binary)`);
  if (!r.blob) throw new Error('PGlite returned no COPY output');
  return copyBinaryFields(Buffer.from(await r.blob.arrayBuffer()));
}
