import { Zip, type ZipInputFile } from 'fflate';

/** One file of an archive, its bytes already in their stored form (deflated for method 8). */
export interface ZipMember {
  name: string;
  mtime: Date;
  /** 0 stored, 8 deflated (or the method of an entry copied from another archive). */
  method: number;
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** CRC-32 and size of the uncompressed file, asked once `body` is read to the end. */
  sums(): { crc: number; size: number };
}

/** fflate writes DOS times from local-time fields; entries carry UTC times (as every reader here reads them). */
const asLocalFields = (d: Date) => new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());

const UNIX_REGULAR_FILE = (0o100644 << 16) >>> 0;
const MAX_ARCHIVE_BYTES = 0xffffffff;

/**
 * The one zip writer: fflate's streaming archive, fed bytes the caller already compressed (native zlib for new
 * files, the original data for entries copied out of another archive), so nothing is compressed twice and the
 * output is a pure function of the members. Entries are written with data descriptors; zip64 is not written.
 */
export async function* zipStream(members: AsyncIterable<ZipMember> | Iterable<ZipMember>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  let total = 0;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else out.push(chunk);
  });
  function* drain() {
    if (failure) throw failure;
    for (const c of out.splice(0)) {
      total += c.length;
      if (total >= MAX_ARCHIVE_BYTES) throw new Error('archive does not fit a zip without zip64');
      yield c;
    }
  }
  for await (const m of members) {
    const entry: ZipInputFile = { filename: m.name, mtime: asLocalFields(m.mtime), compression: m.method, crc: 0, size: 0, os: 3, attrs: UNIX_REGULAR_FILE };
    zip.add(entry);
    for await (const chunk of m.body) {
      entry.ondata!(null, chunk as Uint8Array<ArrayBuffer>, false);
      yield* drain();
    }
    const sums = m.sums();
    if (sums.size >= MAX_ARCHIVE_BYTES) throw new Error(`${m.name} does not fit a zip without zip64`);
    Object.assign(entry, sums);
    entry.ondata!(null, new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}
