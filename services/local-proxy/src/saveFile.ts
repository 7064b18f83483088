import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';

export class DownloadError extends Error {}

/** PLANEXE_PATH with `~` expanded (default: the working directory); created if missing; must be a directory. */
export async function downloadDirectory(planexePath: string | undefined, cwd = process.cwd()): Promise<string> {
  const raw = (planexePath ?? '').trim();
  const dir = !raw ? cwd : raw === '~' ? homedir() : raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : resolve(cwd, raw);
  const st = await stat(dir).catch(() => null);
  if (st && !st.isDirectory()) throw new DownloadError(`PLANEXE_PATH is not a directory: ${dir}`);
  if (!st) await mkdir(dir, { recursive: true });
  return dir;
}

/** A file-name-safe piece: anything but letters, digits, `.`, `_`, `-` becomes `_`; no leading dot; bounded. */
export const safePart = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120) || '_';

/** `<plan>-<file>`, then `<plan>-<stem>-1<ext>` … `-999` (spec/tools.md §9.4). */
export function candidateNames(planId: string, fileName: string): string[] {
  const name = `${safePart(planId)}-${safePart(basename(fileName))}`;
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  return [name, ...Array.from({ length: 999 }, (_, i) => `${stem}-${i + 1}${ext}`)];
}

export interface SavedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Writes chunks to a hidden part file, hashing them, then gives it the first free name without ever replacing an
 * existing file: a hard link fails on an existing name (no check-then-write race); where links are not supported,
 * an exclusive copy does the same. The part file is removed on every path.
 */
export async function saveStream(dir: string, names: string[], chunks: AsyncIterable<Uint8Array>, verify?: (s: { size: number; sha256: string }) => void): Promise<SavedFile> {
  const part = join(dir, `.${names[0]}.${randomBytes(6).toString('hex')}.part`);
  const fh = await open(part, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const c of chunks) {
      hash.update(c);
      size += c.length;
      let done = 0;
      while (done < c.length) done += (await fh.write(c, done, c.length - done)).bytesWritten;
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(part).catch(() => {});
    throw e;
  }
  await fh.close();
  const sha256 = hash.digest('hex');
  try {
    verify?.({ size, sha256 });
    for (const n of names) {
      const target = join(dir, n);
      try {
        await link(part, target);
        return { path: target, size, sha256 };
      } catch (e: any) {
        if (e?.code === 'EEXIST') continue;
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes(e?.code)) throw e;
        try {
          await copyFile(part, target, constants.COPYFILE_EXCL);
          return { path: target, size, sha256 };
        } catch (e2: any) {
          if (e2?.code === 'EEXIST') continue;
          throw e2;
        }
      }
    }
    throw new DownloadError(`no free file name for ${names[0]} in ${dir} (tried -1 to -999)`);
  } finally {
    await unlink(part).catch(() => {});
  }
}
