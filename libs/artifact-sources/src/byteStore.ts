import { Readable } from 'node:stream';
import type { FileHandle } from 'node:fs/promises';

/**
 * Random access to bytes that live somewhere else (a database column, a file, a buffer): small reads for zip
 * directories and headers, sequential streams for bodies. Nothing here holds a whole artifact in memory.
 */
export interface ByteStore {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (fewer only at the end). Meant for small reads (headers, directories). */
  read(offset: number, length: number): Promise<Buffer>;
  /** Bytes [start, end) as a stream that respects backpressure. */
  stream(start: number, end: number): Readable;
}

export function bufferStore(buf: Uint8Array): ByteStore {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const CHUNK = 64 * 1024;
  return {
    size: b.length,
    read: async (offset, length) => b.subarray(offset, Math.min(b.length, offset + length)),
    stream(start, end) {
      // chunked so that a large buffer still goes out in socket-sized pieces
      return Readable.from(
        (function* () {
          for (let p = start; p < end; p += CHUNK) yield b.subarray(p, Math.min(end, p + CHUNK));
        })(),
      );
    },
  };
}

/** A store over an open file; the caller owns (and closes) the handle. */
export function fileStore(handle: FileHandle, size: number): ByteStore {
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === buf.length ? buf : buf.subarray(0, got);
    },
    stream(start, end) {
      if (end <= start) return Readable.from([]);
      // autoClose false: one handle serves several ranges and is closed by its owner
      return handle.createReadStream({ start, end: end - 1, autoClose: false, highWaterMark: 256 * 1024 });
    },
  };
}
