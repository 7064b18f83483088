import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class SizeCapError extends Error {
  constructor(cap: number) {
    super(`more than ${cap} bytes`);
    this.name = 'SizeCapError';
  }
}

/** A finished temporary file: its size and sha256, open for reading; dispose() closes and deletes it. */
export interface SpooledFile {
  path: string;
  size: number;
  sha256: string;
  handle: FileHandle;
  dispose(): Promise<void>;
}

/** Counts, hashes and caps what flows through. */
export class HashTap extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly cap = Number.POSITIVE_INFINITY) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.cap) return cb(new SizeCapError(this.cap));
    this.hash.update(chunk);
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** sha256 and length of a stream, without keeping it. */
export async function hashStream(src: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of src) {
    size += (c as Buffer).length;
    hash.update(c as Buffer);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Temporary files not yet unlinked, removed at exit if their owner never got to it (a crash mid-spool). */
const pending = new Set<string>();
let exitHook = false;
function remember(path: string): void {
  pending.add(path);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of pending) rmSync(p, { force: true });
  });
}

/**
 * Temporary files for spooled artifacts (worker responses, rewritten or built zips), named
 * `planexe-artifact-<kind>-<random>` in the OS temp directory (or `parent`). A finished file is unlinked as soon as
 * it is open, so nothing is left behind when its download ends or the process dies; close() removes any file still
 * in flight.
 */
export class TempFiles {
  private readonly mine = new Set<string>();

  constructor(private readonly parent = tmpdir()) {}

  async newPath(prefix: string): Promise<string> {
    const path = join(this.parent, `planexe-artifact-${prefix}-${randomBytes(8).toString('hex')}`);
    remember(path);
    this.mine.add(path);
    return path;
  }

  private forget(path: string): void {
    pending.delete(path);
    this.mine.delete(path);
  }

  /** Writes a stream to a new file (hashing and capping it) and opens the result for reading. */
  async spool(src: Readable, prefix: string, cap?: number): Promise<SpooledFile> {
    const path = await this.newPath(prefix);
    const tap = new HashTap(cap);
    try {
      await pipeline(src, tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      await this.discard(path);
      throw e;
    }
    return this.adopt(path, tap.bytes, tap.digest());
  }

  /** Opens a finished file as a SpooledFile that is gone once disposed (or at once, where the OS allows). */
  async adopt(path: string, size: number, sha256: string): Promise<SpooledFile> {
    const handle = await open(path, 'r');
    // unlinked while open (POSIX): the data lives as long as the handle
    let unlinked = await unlink(path).then(
      () => true,
      () => false,
    );
    if (unlinked) this.forget(path);
    let disposed = false;
    return {
      path,
      size,
      sha256,
      handle,
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        await handle.close().catch(() => {});
        if (!unlinked) await this.discard(path);
        unlinked = true;
      },
    };
  }

  /** Deletes a file that was never adopted (or could not be unlinked while open). */
  async discard(path: string): Promise<void> {
    await unlink(path).catch(() => {});
    this.forget(path);
  }

  /** Removes files of this process still in flight. */
  async close(): Promise<void> {
    for (const p of [...this.mine]) await this.discard(p);
  }
}
