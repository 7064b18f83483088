import { Readable } from 'node:stream';
import { blobPages, readBlobRange, type BlobVersion, type Db } from '@planexe/db';
import type { ByteStore } from './byteStore.ts';
import type { CopyStreamer } from './pgCopyStream.ts';

export interface DbBlobStoreOptions {
  /** Postgres COPY streaming (one statement, one snapshot); without it ranges are read a page per query. */
  copy?: CopyStreamer;
  /** Bytes per page query (default 1 MiB: one chunk). */
  chunkBytes?: number;
}

/**
 * A stored artifact as a ByteStore: small reads for zip directories and headers, bodies as a stream of pages
 * (keyset over the blob's chunks, or substring slices of a legacy column). The queries live in @planexe/db.
 */
export function dbBlobStore(db: Db, v: BlobVersion, opts: DbBlobStoreOptions = {}): ByteStore {
  return {
    size: v.size,
    read: (offset, length) => readBlobRange(db, v, offset, length),
    stream(start, end) {
      if (opts.copy) return opts.copy.stream(v, start, end);
      // one page in flight: the socket's backpressure decides when the next query runs
      return Readable.from(blobPages(db, v, start, end, opts.chunkBytes), { highWaterMark: 1 });
    },
  };
}
