import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BlobChangedError, blobCopySql, type BlobVersion } from '@planexe/db';

export interface CopyStreamer {
  stream(v: BlobVersion, start: number, end: number): Readable;
  close(): Promise<void>;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Parses `COPY … TO STDOUT (FORMAT binary)` of single-column bytea rows and emits the column bytes only. The
 * format: 11-byte signature, int32 flags, int32 extension length (+ extension), then per row an int16 field count
 * and per field an int32 length and the bytes; an int16 -1 ends it. Field bytes pass through without copying.
 */
export class CopyBinaryFields extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;
  /** Bytes of the current field still to pass through. */
  private fieldLeft = 0;
  private ended = false;
  emitted = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = Buffer.alloc(0);
    for (;;) {
      if (this.fieldLeft > 0) {
        if (data.length === 0) return;
        const n = Math.min(this.fieldLeft, data.length);
        this.push(data.subarray(0, n));
        this.emitted += n;
        this.fieldLeft -= n;
        data = data.subarray(n);
        continue;
      }
      if (this.ended) return;
      if (!this.headerDone) {
        if (data.length < 19) break;
        if (!data.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
        const ext = data.readUInt32BE(15);
        if (data.length < 19 + ext) break;
        data = data.subarray(19 + ext);
        this.headerDone = true;
        continue;
      }
      if (data.length < 2) break;
      const fields = data.readInt16BE(0);
      if (fields === -1) {
        this.ended = true;
        return;
      }
      if (fields !== 1) throw new Error(`unexpected COPY row with ${fields} fields`);
      if (data.length < 6) break;
      const len = data.readInt32BE(2);
      data = data.subarray(6);
      if (len < 0) throw new Error('unexpected NULL in COPY stream');
      this.fieldLeft = len;
    }
    this.buf = Buffer.from(data);
  }
}

/**
 * Postgres fast path for stored artifacts: one `COPY … TO STDOUT` per range (the statement comes from @planexe/db).
 * One statement sees one snapshot, Postgres produces the chunks one row at a time, and the socket's backpressure
 * paces it, so memory stays flat and a concurrent snapshot update cannot mix versions. A changed artifact yields
 * fewer bytes than asked for and ends with BlobChangedError.
 */
export function pgCopyStreamer(pool: pg.Pool): CopyStreamer {
  return {
    stream(v, start, end) {
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      if (end <= start) {
        out.end();
        return out;
      }
      let text: string;
      try {
        text = blobCopySql(v, start, end);
      } catch (e) {
        process.nextTick(() => out.destroy(e as Error));
        return out;
      }
      void (async () => {
        let client: pg.PoolClient | undefined;
        let released = false;
        const release = (err?: Error) => {
          if (released || !client) return;
          released = true;
          // a connection left in the middle of a COPY cannot be reused: pass the error so the pool discards it
          client.release(err);
        };
        try {
          client = await pool.connect();
        } catch (e) {
          out.destroy(e as Error);
          return;
        }
        if (out.destroyed) {
          release(); // the reader left before the stream started: the connection is still clean
          return;
        }
        const copy = client.query(copyTo(text));
        const fields = new CopyBinaryFields();
        copy.on('error', (e) => {
          release(e);
          out.destroy(e);
        });
        fields.on('error', (e) => {
          release(e);
          out.destroy(e);
        });
        out.on('close', () => {
          if (!fields.writableFinished) {
            copy.destroy();
            release(new Error('download ended early'));
          }
        });
        fields.on('end', () => {
          release();
          if (fields.emitted !== end - start) out.destroy(new BlobChangedError(v.planId));
          else out.end();
        });
        copy.pipe(fields).pipe(out, { end: false });
      })();
      return out;
    },
    close: () => pool.end(),
  };
}

/** A small pool for COPY streams (each open download holds one connection while it streams). */
export function createCopyStreamer(connectionString: string, max = 8): CopyStreamer {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  return pgCopyStreamer(pool);
}
