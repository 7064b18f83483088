import { createHash } from 'node:crypto';
import type { Db } from './connect.ts';

/** Bytes per stored chunk: small enough that a reader holds little, large enough that a 200 MB zip is 200 rows. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;
/** Chunks per INSERT statement while writing. */
const CHUNKS_PER_INSERT = 4;

export interface WrittenBlob {
  id: string;
  size: number;
  sha256: string;
}

type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Re-cuts any sequence of byte pieces into `size`-byte chunks (the last one shorter). */
async function* rechunk(source: ByteSource, size: number): AsyncGenerator<Buffer> {
  const pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of pieces) {
    let b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (b.length) {
      const take = Math.min(size - pendingBytes, b.length);
      pending.push(b.subarray(0, take));
      pendingBytes += take;
      b = b.subarray(take);
      if (pendingBytes === size) {
        yield pending.length === 1 ? pending[0] : Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes) yield Buffer.concat(pending);
}

/**
 * Stores bytes as a new immutable blob of the plan: chunk rows are inserted as the bytes arrive (a source may be a
 * stream of a file being produced), hashed on the way, and the header gets its size and sha256 last. Nothing
 * points at the blob yet: the caller links it (plans.run_zip_blob_id) or drops it. A failed write drops itself.
 */
export async function writeBlob(db: Db, planId: string, source: ByteSource, chunkBytes = BLOB_CHUNK_BYTES): Promise<WrittenBlob> {
  const header = await db.insertInto('artifact_blobs').values({ plan_id: planId, chunk_bytes: chunkBytes }).returning('id').executeTakeFirstOrThrow();
  const id = String(header.id);
  try {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let batch: { blob_id: string; seq: number; data: Buffer }[] = [];
    const flush = async () => {
      if (batch.length) await db.insertInto('artifact_chunks').values(batch).execute();
      batch = [];
    };
    for await (const chunk of rechunk(source, chunkBytes)) {
      hash.update(chunk);
      size += chunk.length;
      batch.push({ blob_id: id, seq: seq++, data: chunk });
      if (batch.length >= CHUNKS_PER_INSERT) await flush();
    }
    await flush();
    const sha256 = hash.digest('hex');
    await db.updateTable('artifact_blobs').set({ size, sha256 }).where('id', '=', id).execute();
    return { id, size, sha256 };
  } catch (e) {
    await dropBlob(db, id).catch(() => {});
    throw e;
  }
}

/** Deletes a blob and its chunks (one nothing points at: a superseded run's snapshot). */
export async function dropBlob(db: Db, blobId: string): Promise<void> {
  await db.deleteFrom('artifact_blobs').where('id', '=', blobId).execute();
}
