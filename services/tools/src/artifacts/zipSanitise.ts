import { unzipSync, zipSync, type Zippable } from 'fflate';

const isActivityLog = (name: string) => name === 'track_activity.jsonl' || name.endsWith('/track_activity.jsonl');

/**
 * A user-facing zip never holds track_activity.jsonl (spec/artifacts.md §4). Archives without one are returned
 * byte-for-byte; otherwise the remaining file entries are re-packed with their original timestamps, so the
 * result is deterministic and its sha256 stays stable between plan_file_info and the download. Unreadable → null.
 */
export function sanitiseZip(bytes: Uint8Array): Uint8Array | null {
  let names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        return false;
      },
    });
  } catch {
    return null;
  }
  if (!names.some(isActivityLog)) return bytes;
  names = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => !f.name.endsWith('/') && !isActivityLog(f.name) });
  } catch {
    return null;
  }
  const mtimes = zipEntryTimes(bytes);
  const out: Zippable = {};
  for (const [name, data] of Object.entries(files)) out[name] = [data, { level: 6, mtime: mtimes.get(name) ?? new Date(1980, 0, 1) }];
  return zipSync(out);
}

/** Reads each entry's DOS timestamp from the central directory (fflate does not expose it on unzip). */
export function zipEntryTimes(bytes: Uint8Array): Map<string, Date> {
  const out = new Map<string, Date>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return out;
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const dec = new TextDecoder();
  for (let n = 0; n < count && p + 46 <= bytes.length; n++) {
    if (dv.getUint32(p, true) !== 0x02014b50) break;
    const time = dv.getUint16(p + 12, true);
    const date = dv.getUint16(p + 14, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    out.set(name, new Date(((date >> 9) & 0x7f) + 1980, ((date >> 5) & 0xf) - 1, date & 0x1f, (time >> 11) & 0x1f, (time >> 5) & 0x3f, (time & 0x1f) * 2));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
