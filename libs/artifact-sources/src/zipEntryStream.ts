import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { ByteStore } from './byteStore.ts';
import { ZipFormatError, type ZipEntry } from './zipDirectory.ts';

/**
 * Passes bytes [start, end) of what flows through it and drops the rest; when it sees the whole entry it also
 * checks the length and CRC-32 the directory promised, so a corrupt or inflated-beyond-its-size entry (a zip bomb)
 * ends the stream with an error instead of delivering wrong bytes.
 */
class EntryWindow extends Transform {
  private pos = 0;
  private crc = 0;

  constructor(
    private readonly entry: ZipEntry,
    private readonly winStart: number,
    private readonly winEnd: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const from = this.pos;
    this.pos += chunk.length;
    if (this.pos > this.entry.size) return cb(new ZipFormatError(`entry ${this.entry.name} inflates beyond its declared size`));
    if (this.winStart === 0 && this.winEnd === this.entry.size) this.crc = crc32(chunk, this.crc);
    const a = Math.max(this.winStart, from);
    const b = Math.min(this.winEnd, this.pos);
    if (b > a) this.push(chunk.subarray(a - from, b - from));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.pos < this.winEnd) return cb(new ZipFormatError(`entry ${this.entry.name} is shorter than declared`));
    if (this.winStart === 0 && this.winEnd === this.entry.size && (this.crc >>> 0) !== this.entry.crc32) {
      return cb(new ZipFormatError(`entry ${this.entry.name} fails its CRC-32 check`));
    }
    cb();
  }
}

/**
 * Bytes [start, end) of one entry's uncompressed content, read from the store as a stream: stored entries are
 * sliced directly, deflated ones are inflated from their beginning (a range still costs inflating its prefix).
 */
export function openZipEntry(store: ByteStore, entry: ZipEntry, dataOffset: number, start = 0, end = entry.size): Readable {
  const window = new EntryWindow(entry, start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new ZipFormatError(`stored entry ${entry.name} has mismatched sizes`);
    const whole = start === 0 && end === entry.size;
    const src = store.stream(dataOffset + (whole ? 0 : start), dataOffset + (whole ? entry.size : end));
    if (!whole) return src;
    pipeline(src, window, () => {});
    return window;
  }
  if (entry.method !== 8) throw new ZipFormatError(`entry ${entry.name} uses unsupported compression method ${entry.method}`);
  const raw = store.stream(dataOffset, dataOffset + entry.compressedSize);
  pipeline(raw, createInflateRaw({ chunkSize: 256 * 1024 }), window, () => {});
  return window;
}
