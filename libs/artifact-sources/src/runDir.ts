import { constants, createReadStream } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import { parseUuid } from '@planexe/contracts';
import type { SpooledFile, TempFiles } from './tempFiles.ts';
import { leftOutOfUserZip } from './userZip.ts';
import { zipStream, type ZipMember } from './zipWriter.ts';


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
    else if (d.isFile() && !leftOutOfUserZip(rel)) out.push(rel);
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

/** A run dir file, deflated with native zlib when that is worth it, its CRC and size counted as it is read. */
async function fileMember(dir: string, name: string): Promise<ZipMember> {
  const file = join(dir, ...name.split('/'));
  const st = await stat(file);
  const deflate = await worthDeflating(file);
  let crc = 0;
  let size = 0;
  const tap = new Transform({
    transform(c: Buffer, _e, cb) {
      crc = crc32(c, crc);
      size += c.length;
      cb(null, c);
    },
  });
  const src = createReadStream(file, { highWaterMark: 256 * 1024 });
  const body = deflate ? pipeline(src, tap, createDeflateRaw({ level: 6, chunkSize: 256 * 1024 }), () => {}) : pipeline(src, tap, () => {});
  return { name, mtime: st.mtime, method: deflate ? 8 : 0, body, sums: () => ({ crc: crc >>> 0, size }) };
}

async function* runDirMembers(dir: string, names: string[]): AsyncGenerator<ZipMember> {
  for (const name of names) yield await fileMember(dir, name);
}

/**
 * A zip of the run directory as the worker builds it (every file, recursively, but those a user's zip leaves out),
 * streamed. Deterministic for unchanged files (sorted names, file mtimes). Null when the directory is missing; a
 * directory without files gives an empty archive.
 */
export async function runDirZip(runBase: string, planId: string): Promise<{ files: number; stream: Readable } | null> {
  const d = await planDir(runBase, planId);
  if (!d) return null;
  const names = await listTree(d.dir).catch(() => [] as string[]);
  return { files: names.length, stream: Readable.from(zipStream(runDirMembers(d.dir, names))) };
}

/** The run directory's zip in a temporary file (the artifacts service's run-dir source); null without files. */
export async function buildRunDirZip(runBase: string, planId: string, temp: TempFiles): Promise<SpooledFile | null> {
  const zip = await runDirZip(runBase, planId);
  if (!zip?.files) {
    zip?.stream.destroy();
    return null;
  }
  return temp.spool(zip.stream, 'rundir-zip');
}
