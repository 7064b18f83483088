import type { ByteStore } from './byteStore.ts';

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** The entry's DOS date/time read as UTC (as upstream does for zip listings). */
  mtime: Date;
  isDirectory: boolean;
  /** The raw central-directory record (kept for rewriting an archive without re-encoding it). */
  record: Buffer;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts (= end of the last entry's data). */
  cdOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CD_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** A directory larger than this is refused (a 100 MB snapshot of small files has a few MB of directory). */
const MAX_CD_BYTES = 64 * 1024 * 1024;

export function dosToDate(date: number, time: number): Date {
  return new Date(
    Date.UTC(((date >> 9) & 0x7f) + 1980, ((date >> 5) & 0xf) - 1, date & 0x1f, (time >> 11) & 0x1f, (time >> 5) & 0x3f, (time & 0x1f) * 2),
  );
}

/** Reads the central directory through a few small reads at the end of the store. Zip64 archives are refused. */
export async function readZipDirectory(store: ByteStore): Promise<ZipDirectory> {
  if (store.size < 22) throw new ZipFormatError('too short to be a zip');
  const tailLen = Math.min(store.size, 22 + 65_535);
  const tail = await store.read(store.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipFormatError('zip64 archives are not supported');
  if (cdSize > MAX_CD_BYTES || cdOffset + cdSize > store.size - tailLen + eocd) throw new ZipFormatError('central directory out of bounds');
  const cd = await store.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CD_SIG) throw new ZipFormatError('corrupt central directory');
    const flags = cd.readUInt16LE(p + 8);
    const nameLen = cd.readUInt16LE(p + 28);
    const recLen = 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    if (p + recLen > cd.length) throw new ZipFormatError('corrupt central directory');
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    const e: ZipEntry = {
      name,
      method: cd.readUInt16LE(p + 10),
      flags,
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      mtime: dosToDate(cd.readUInt16LE(p + 14), cd.readUInt16LE(p + 12)),
      isDirectory: name.endsWith('/'),
      record: Buffer.from(cd.subarray(p, p + recLen)),
    };
    if (e.compressedSize === 0xffffffff || e.size === 0xffffffff || e.localHeaderOffset === 0xffffffff) {
      throw new ZipFormatError('zip64 entries are not supported');
    }
    if (e.localHeaderOffset + 30 + e.compressedSize > cdOffset) throw new ZipFormatError(`entry ${name} out of bounds`);
    entries.push(e);
    p += recLen;
  }
  return { entries, cdOffset };
}

/** Offset of an entry's data: after its local header, whose name/extra lengths may differ from the directory's. */
export async function entryDataOffset(store: ByteStore, e: ZipEntry): Promise<number> {
  const h = await store.read(e.localHeaderOffset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== LOCAL_SIG) throw new ZipFormatError(`bad local header for ${e.name}`);
  const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressedSize > store.size) throw new ZipFormatError(`entry ${e.name} out of bounds`);
  return start;
}
