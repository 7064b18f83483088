import { constants, createReadStream } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import { parseUuid } from '@planexe/contracts';
import { hashStream, type SpooledFile, type TempFiles } from './tempFiles.ts';
import { dateToDos } from './zipDirectory.ts';

/** Files a user-facing zip never contains (spec/artifacts.md §4). */
const EXCLUDED = new Set(['log.txt', 'track_activity.jsonl']);

/** The plan's run directory under the run base, resolved through symlinks and required to stay inside it. */
async function planDir(runBase: string, planId: string): Promise<{ base: string; dir: string } | null> {
  const uuid = parseUuid(planId);
  if (!uuid || uuid !== planId) return null;
  const base = await realpath(resolve(runBase)).catch(() => null);
  if (!base) return null;
  const dir = await realpath(join(base, uuid)).catch(() => null);
  return dir && dir.startsWith(base + sep) ? { base, dir } : null;
}

export interface RunDirFile {
  handle: FileHandle;
  size: number;
  /** Identity of this file version, for the digest cache. */
  version: string;
}

/** An open regular file `<run base>/<plan id>/<name>`; null when absent, not regular, or outside the run base. */
export async function openRunDirFile(runBase: string, planId: string, name: string): Promise<RunDirFile | null> {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) return null;
  const d = await planDir(runBase, planId);
  if (!d) return null;
  const real = await realpath(join(d.dir, name)).catch(() => null);
  if (!real || !real.startsWith(d.base + sep)) return null;
  const handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => null);
  if (!handle) return null;
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    return null;
  }
  return { handle, size: st.size, version: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` };
}

/** Regular files under `dir`, recursively, as sorted `/`-separated relative paths. Symlinks are not followed. */
async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + d.name;
    if (d.isDirectory()) out.push(...(await listTree(join(dir, d.name), `${rel}/`)));
    else if (d.isFile() && !EXCLUDED.has(d.name)) out.push(rel);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether deflating is worth it: a 64 KiB sample that shrinks by less than 3 % (media, archives) is stored. */
async function worthDeflating(path: string): Promise<boolean> {
  const h = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    if (bytesRead < 64) return bytesRead > 0;
    return deflateRawSync(buf.subarray(0, bytesRead), { level: 1 }).length < bytesRead * 0.97;
  } finally {
    await h.close();
  }
}

/**
 * A zip of the run directory as the worker builds it (every file, recursively, without log.txt and
 * track_activity.jsonl), written to a temporary file with native zlib: local headers are patched in place once a
 * file's CRC and sizes are known, so the archive needs no data descriptors. Deterministic for unchanged files
 * (sorted names, file mtimes). Null when the directory is missing or holds no file.
 */
export async function buildRunDirZip(runBase: string, planId: string, temp: TempFiles): Promise<SpooledFile | null> {
  const d = await planDir(runBase, planId);
  if (!d) return null;
  const names = await listTree(d.dir).catch(() => [] as string[]);
  if (!names.length) return null;
  const path = await temp.newPath('rundir-zip');
  const out = await open(path, 'wx', 0o600);
  const records: Buffer[] = [];
  let pos = 0;
  const write = async (b: Buffer) => {
    let done = 0;
    while (done < b.length) done += (await out.write(b, done, b.length - done, pos + done)).bytesWritten;
    pos += b.length;
  };
  try {
    for (const name of names) {
      const file = join(d.dir, ...name.split('/'));
      const st = await stat(file);
      if (st.size >= 0xffffffff || pos + st.size >= 0xffffffff) throw new Error(`${name} does not fit a zip without zip64`);
      const deflate = await worthDeflating(file);
      const nameBuf = Buffer.from(name, 'utf8');
      const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
      const { date, time } = dateToDos(st.mtime);
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(flags, 6);
      header.writeUInt16LE(deflate ? 8 : 0, 8);
      header.writeUInt16LE(time, 10);
      header.writeUInt16LE(date, 12);
      header.writeUInt16LE(nameBuf.length, 26);
      const offset = pos;
      await write(Buffer.concat([header, nameBuf]));
      let crc = 0;
      let size = 0;
      const src = createReadStream(file, { highWaterMark: 256 * 1024 });
      const tap = new Transform({
        transform(c: Buffer, _e, cb) {
          crc = crc32(c, crc);
          size += c.length;
          cb(null, c);
        },
      });
      const dataStart = pos;
      const body = deflate ? pipeline(src, tap, createDeflateRaw({ level: 6, chunkSize: 256 * 1024 }), () => {}) : pipeline(src, tap, () => {});
      for await (const c of body) await write(c as Buffer);
      const sizes = Buffer.alloc(12);
      sizes.writeUInt32LE(crc >>> 0, 0);
      sizes.writeUInt32LE(pos - dataStart, 4);
      sizes.writeUInt32LE(size, 8);
      await out.write(sizes, 0, 12, offset + 14);
      const rec = Buffer.alloc(46);
      rec.writeUInt32LE(0x02014b50, 0);
      rec.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
      rec.writeUInt16LE(20, 6);
      header.copy(rec, 8, 6, 14); // flags, method, time, date
      sizes.copy(rec, 16);
      rec.writeUInt16LE(nameBuf.length, 28);
      rec.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      rec.writeUInt32LE(offset, 42);
      records.push(rec, nameBuf);
    }
    const cd = Buffer.concat(records);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(names.length, 8);
    eocd.writeUInt16LE(names.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(pos, 16);
    await write(Buffer.concat([cd, eocd]));
  } catch (e) {
    await out.close();
    await temp.discard(path);
    throw e;
  }
  await out.close();
  const { sha256, size } = await hashStream(createReadStream(path, { highWaterMark: 1024 * 1024 }));
  return temp.adopt(path, size, sha256);
}
