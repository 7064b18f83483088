import { sql, type RawBuilder } from 'kysely';
import type { Db } from './connect.ts';
import { pgliteCopyOut, pgliteOf } from './pgliteCopy.ts';

/** The two stored artifacts of a plan: report.html (a text column) and the run.zip snapshot (chunked blob). */
export type StoredArtifact = 'report' | 'zip';

/** Where one version of a stored artifact lives, and what pins it. */
export type BlobPin =
  /** Chunks of an immutable blob (migration 0003). */
  | { kind: 'chunks'; blobId: string; chunkBytes: number; sha256: string }
  /** A whole value in a `plans` column (report.html, legacy zip rows), pinned to the row version. */
  | { kind: 'column'; xmin: string };

/**
 * One version of a stored artifact. Every later read is pinned to it, so an artifact that changes mid-download
 * (a newer intermediate snapshot, a retry clearing artifacts) ends the read with BlobChangedError instead of
 * splicing two versions into one file.
 */
export interface BlobVersion {
  planId: string;
  column: StoredArtifact;
  size: number;
  layoutVersion: number;
  pin: BlobPin;
  /** Names this version in cache keys (a digest is valid as long as the tag is). */
  tag: string;
}

export class BlobChangedError extends Error {
  constructor(planId: string) {
    super(`stored artifact of plan ${planId} changed while it was read`);
    this.name = 'BlobChangedError';
  }
}

const COLUMN_EXPR: Record<StoredArtifact, RawBuilder<unknown>> = {
  report: sql`convert_to(generated_report_html, 'UTF8')`,
  zip: sql`run_zip_snapshot`,
};
const COLUMN_SQL: Record<StoredArtifact, string> = {
  report: `convert_to(generated_report_html, 'UTF8')`,
  zip: 'run_zip_snapshot',
};

/** The current version of a plan's artifact (its chunked blob when it has one, else the column), or null. */
export async function blobVersion(db: Db, planId: string, column: StoredArtifact): Promise<BlobVersion | null> {
  const blobJoin = column === 'zip' ? sql`left join artifact_blobs b on b.id = p.run_zip_blob_id` : sql`left join artifact_blobs b on false`;
  const r = await sql<{ xmin: string; col_size: number | string | null; layout: number | null; blob: string | null; blob_size: string | null; chunk_bytes: number | null; sha256: string | null }>`
    select p.xmin::text as xmin, octet_length(${COLUMN_EXPR[column]}) as col_size, p.run_artifact_layout_version as layout,
           b.id::text as blob, b.size::text as blob_size, b.chunk_bytes, b.sha256
    from plans p ${blobJoin} where p.id = ${planId}`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const layoutVersion = row.layout ?? 0;
  if (row.blob && row.sha256 && row.chunk_bytes) {
    const pin: BlobPin = { kind: 'chunks', blobId: row.blob, chunkBytes: row.chunk_bytes, sha256: row.sha256 };
    return { planId, column, size: Number(row.blob_size), layoutVersion, pin, tag: `blob-${row.blob}` };
  }
  if (row.col_size == null) return null;
  return { planId, column, size: Number(row.col_size), layoutVersion, pin: { kind: 'column', xmin: row.xmin }, tag: `xmin-${row.xmin}` };
}

/** sha256 of the pinned version: recorded when a blob was written; computed by Postgres for a column value. */
export async function blobDigest(db: Db, v: BlobVersion): Promise<string> {
  if (v.pin.kind === 'chunks') return v.pin.sha256;
  const r = await sql<{ sha256: string | null }>`
    select encode(sha256(${COLUMN_EXPR[v.column]}), 'hex') as sha256
    from plans where id = ${v.planId} and xmin::text = ${v.pin.xmin}`.execute(db);
  const d = r.rows[0]?.sha256;
  if (!d) throw new BlobChangedError(v.planId);
  return d;
}

const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * The chunks holding bytes [start, end) of a blob, each cut to the range by Postgres (`substring` of an EXTERNAL
 * value reads only the TOAST pieces it needs). Integers only: the COPY form below inlines them.
 */
function chunkSliceSql(blobId: string, chunkBytes: number, start: number, end: number, firstSeq: number, lastSeq: number): string {
  const seqStart = `(seq::bigint * ${chunkBytes})`;
  return (
    `select substring(data from (greatest(${start} - ${seqStart}, 0) + 1)::int ` +
    `for (least(${end}::bigint, ${seqStart} + ${chunkBytes}) - greatest(${start}::bigint, ${seqStart}))::int) as part ` +
    `from artifact_chunks where blob_id = ${blobId} and seq between ${firstSeq} and ${lastSeq} order by seq`
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIGITS_RE = /^\d+$/;

/** Throws unless every value that goes into SQL text unbound is what it claims to be. */
function checkInlined(v: BlobVersion, start: number, end: number): void {
  const okPin = v.pin.kind === 'chunks' ? DIGITS_RE.test(v.pin.blobId) && Number.isSafeInteger(v.pin.chunkBytes) && v.pin.chunkBytes > 0 : DIGITS_RE.test(v.pin.xmin);
  if (!UUID_RE.test(v.planId) || !okPin || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) throw new Error('invalid blob version');
}

/** Bytes [start, end) of one page of chunks (or of the column value); throws BlobChangedError when any are missing. */
async function readPage(db: Db, v: BlobVersion, start: number, end: number): Promise<Buffer[]> {
  if (end <= start) return [];
  checkInlined(v, start, end);
  let parts: Buffer[];
  if (v.pin.kind === 'chunks') {
    const cs = v.pin.chunkBytes;
    const first = Math.floor(start / cs);
    const last = Math.floor((end - 1) / cs);
    const text = chunkSliceSql(v.pin.blobId, cs, start, end, first, last);
    const pglite = pgliteOf(db);
    parts = pglite ? await pgliteCopyOut(pglite, text) : (await sql<{ part: Uint8Array }>`${sql.raw(text)}`.execute(db)).rows.map((row) => asBuffer(row.part));
    if (parts.length !== last - first + 1) throw new BlobChangedError(v.planId);
  } else {
    const r = await sql<{ part: Uint8Array | null }>`
      select substring(${COLUMN_EXPR[v.column]} from ${start + 1}::int for ${end - start}::int) as part
      from plans where id = ${v.planId} and xmin::text = ${v.pin.xmin}`.execute(db);
    const part = r.rows[0]?.part;
    if (!part) throw new BlobChangedError(v.planId);
    parts = [asBuffer(part)];
  }
  if (parts.reduce((n, p) => n + p.length, 0) !== end - start) throw new BlobChangedError(v.planId);
  return parts;
}

/** Exactly the bytes [offset, offset + length) (fewer only past the end): for small reads such as zip directories. */
export async function readBlobRange(db: Db, v: BlobVersion, offset: number, length: number): Promise<Buffer> {
  const parts = await readPage(db, v, offset, Math.min(v.size, offset + Math.max(0, length)));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Bytes [start, end) in order, one page (about `pageBytes`, whole chunks) per query: a keyset walk over
 * (blob_id, seq), so memory holds one page, never the value.
 */
export async function* blobPages(db: Db, v: BlobVersion, start: number, end: number, pageBytes = 1024 * 1024): AsyncGenerator<Buffer> {
  const step = v.pin.kind === 'chunks' ? Math.max(1, Math.round(pageBytes / v.pin.chunkBytes)) * v.pin.chunkBytes : pageBytes;
  for (let p = start; p < end; ) {
    // pages end on chunk boundaries so that no chunk is fetched twice
    const next = Math.min(end, (Math.floor(p / step) + 1) * step);
    yield* await readPage(db, v, p, next);
    p = next;
  }
}

/**
 * `COPY … TO STDOUT (FORMAT binary)` of bytes [start, end) as single-column bytea rows, for Postgres streaming:
 * one statement sees one snapshot, Postgres produces the rows one at a time, and the socket's backpressure paces
 * it. A changed artifact yields fewer bytes (zero rows) — the reader counts. COPY takes no bind parameters, so every
 * value put into the statement is validated (UUID, digits) first.
 */
export function blobCopySql(v: BlobVersion, start: number, end: number, columnSliceBytes = 4 * 1024 * 1024): string {
  checkInlined(v, start, end);
  if (v.pin.kind === 'chunks') {
    const cs = v.pin.chunkBytes;
    return `COPY (${chunkSliceSql(v.pin.blobId, cs, start, end, Math.floor(start / cs), Math.floor((end - 1) / cs))}) TO STDOUT (FORMAT binary)`;
  }
  return (
    `COPY (select substring(${COLUMN_SQL[v.column]} from o::int for least(${columnSliceBytes}, ${end + 1} - o)::int) ` +
    `from plans, generate_series(${start + 1}::bigint, ${end}::bigint, ${columnSliceBytes}) o ` +
    `where id = '${v.planId}' and xmin::text = '${v.pin.xmin}' order by o) TO STDOUT (FORMAT binary)`
  );
}
