import { Readable } from 'node:stream';
import type { ByteStore } from './byteStore.ts';
import type { SpooledFile, TempFiles } from './tempFiles.ts';
import { isActivityLog, type ZipDirectory } from './zipDirectory.ts';

/** A user-facing zip never holds track_activity.jsonl (spec/artifacts.md §4). */
export const needsSanitising = (dir: ZipDirectory) => dir.entries.some((e) => isActivityLog(e.name));

/**
 * The archive without its activity logs and directory entries, written to a temporary file. Kept entries are
 * copied byte for byte (local header, compressed data, data descriptor) and the central directory is rewritten
 * with their new offsets, so nothing is re-compressed, timestamps stay as they were, and two sanitisations of the
 * same archive are identical (the sha256 plan_file_info reports is the one the download serves).
 */
export async function writeSanitisedZip(store: ByteStore, dir: ZipDirectory, temp: TempFiles): Promise<SpooledFile> {
  const byOffset = [...dir.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const regions = byOffset.map((e, i) => ({ e, start: e.localHeaderOffset, end: i + 1 < byOffset.length ? byOffset[i + 1].localHeaderOffset : dir.cdOffset }));
  const keep = regions.filter((r) => !r.e.isDirectory && !isActivityLog(r.e.name));
  async function* body() {
    let pos = 0;
    const records: Buffer[] = [];
    for (const r of keep) {
      const rec = Buffer.from(r.e.record);
      rec.writeUInt32LE(pos, 42);
      records.push(rec);
      for await (const c of store.stream(r.start, r.end)) yield c as Buffer;
      pos += r.end - r.start;
    }
    const cd = Buffer.concat(records);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(keep.length, 8);
    eocd.writeUInt16LE(keep.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(pos, 16);
    yield cd;
    yield eocd;
  }
  return temp.spool(Readable.from(body()), 'sanitised-zip');
}
