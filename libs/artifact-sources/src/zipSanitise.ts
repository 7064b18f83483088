import { Readable } from 'node:stream';
import type { ByteStore } from './byteStore.ts';
import type { SpooledFile, TempFiles } from './tempFiles.ts';
import { isActivityLog } from './userZip.ts';
import { entryDataOffset, type ZipDirectory } from './zipDirectory.ts';
import { zipStream, type ZipMember } from './zipWriter.ts';

/** A user-facing zip never holds track_activity.jsonl (spec/artifacts.md §4). */
export const needsSanitising = (dir: ZipDirectory) => dir.entries.some((e) => isActivityLog(e.name));

/** The file entries that stay, each with its compressed data as stored in the original archive. */
async function* keptMembers(store: ByteStore, dir: ZipDirectory): AsyncGenerator<ZipMember> {
  for (const e of dir.entries) {
    if (e.isDirectory || isActivityLog(e.name)) continue;
    const start = await entryDataOffset(store, e);
    yield { name: e.name, mtime: e.mtime, method: e.method, body: store.stream(start, start + e.compressedSize), sums: () => ({ crc: e.crc32, size: e.size }) };
  }
}

/**
 * The archive without its activity logs and directory entries, written to a temporary file. Kept entries keep
 * their compressed data, method and timestamp (nothing is re-compressed), so two sanitisations of the same archive
 * are identical (the sha256 plan_file_info reports is the one the download serves).
 */
export function writeSanitisedZip(store: ByteStore, dir: ZipDirectory, temp: TempFiles): Promise<SpooledFile> {
  return temp.spool(Readable.from(zipStream(keptMembers(store, dir))), 'sanitised-zip');
}
