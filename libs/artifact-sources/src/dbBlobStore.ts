import { Readable } from 'node:stream';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '@planexe/db';
import type { ByteStore } from './byteStore.ts';
import type { CopyStreamer } from './pgCopyStream.ts';

/** The two artifact columns of `plans`, as bytes. */
export type BlobColumn = 'report' | 'zip';

const EXPR: Record<BlobColumn, RawBuilder<unknown>> = {
  report: sql`convert_to(generated_report_html, 'UTF8')`,
  zip: sql`run_zip_snapshot`,
};
export const BLOB_SQL: Record<BlobColumn, string> = {
  report: `convert_to(generated_report_html, 'UTF8')`,
  zip: 'run_zip_snapshot',
};

/**
 * One version of a stored artifact. `xmin` is the row version: every later read is pinned to it, so a row that
 * changes mid-download (a newer intermediate snapshot, a retry clearing artifacts) ends the read with
 * BlobChangedError instead of splicing two versions into one file.
 */
export interface BlobVersion {
  planId: string;
  column: BlobColumn;
  size: number;
  xmin: string;
  layoutVersion: number;
}

export class BlobChangedError extends Error {
  constructor(planId: string) {
    super(`stored artifact of plan ${planId} changed while it was read`);
    this.name = 'BlobChangedError';
  }
}

export async function blobVersion(db: Db, planId: string, column: BlobColumn): Promise<BlobVersion | null> {
  const r = await sql<{ xmin: string; size: number | string | null; layout: number | null }>`
    select xmin::text as xmin, octet_length(${EXPR[column]}) as size, run_artifact_layout_version as layout
    from plans where id = ${planId}`.execute(db);
  const row = r.rows[0];
  if (!row || row.size == null) return null;
  return { planId, column, size: Number(row.size), xmin: row.xmin, layoutVersion: row.layout ?? 0 };
}

/** sha256 of the pinned version, computed by Postgres (the bytes never travel for it). */
export async function blobDigest(db: Db, v: BlobVersion): Promise<string> {
  const r = await sql<{ sha256: string | null }>`
    select encode(sha256(${EXPR[v.column]}), 'hex') as sha256
    from plans where id = ${v.planId} and xmin::text = ${v.xmin}`.execute(db);
  const d = r.rows[0]?.sha256;
  if (!d) throw new BlobChangedError(v.planId);
  return d;
}

async function readSlice(db: Db, v: BlobVersion, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const r = await sql<{ part: Uint8Array | null }>`
    select substring(${EXPR[v.column]} from ${offset + 1}::int for ${length}::int) as part
    from plans where id = ${v.planId} and xmin::text = ${v.xmin}`.execute(db);
  const part = r.rows[0]?.part;
  if (!part) throw new BlobChangedError(v.planId);
  return Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
}

export interface DbBlobStoreOptions {
  /** Postgres COPY streaming (one statement, one snapshot); without it ranges are read as substring queries. */
  copy?: CopyStreamer;
  /** Bytes per substring query (default 1 MiB). */
  chunkBytes?: number;
}

/**
 * A stored artifact as a ByteStore. Postgres returns a column value whole, so bodies are read as slices
 * (`substring`), which Postgres serves from the TOAST chunks it needs without building the whole value.
 */
export function dbBlobStore(db: Db, v: BlobVersion, opts: DbBlobStoreOptions = {}): ByteStore {
  const chunk = opts.chunkBytes ?? 1024 * 1024;
  return {
    size: v.size,
    read: (offset, length) => readSlice(db, v, offset, Math.min(length, v.size - offset)),
    stream(start, end) {
      if (opts.copy) return opts.copy.stream(v, start, end);
      return Readable.from(
        (async function* () {
          for (let p = start; p < end; p += chunk) {
            const part = await readSlice(db, v, p, Math.min(chunk, end - p));
            if (part.length !== Math.min(chunk, end - p)) throw new BlobChangedError(v.planId);
            yield part;
          }
        })(),
        { highWaterMark: 1 },
      );
    },
  };
}
