import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, open, rm, unlink, type FileHandle } from 'node:fs/promises';
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

/** Directories still to remove when the process exits (normally close() has removed them already). */
const liveDirs = new Set<string>();
let exitHook = false;
function track(dir: string): void {
  liveDirs.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * A private directory for spooled artifacts (worker responses, rewritten or built zips). Files are deleted when
 * their download ends; close() removes whatever is left.
 */
export class TempFiles {
  private dir: Promise<string> | undefined;

  constructor(private readonly parent = tmpdir()) {}

  private directory(): Promise<string> {
    this.dir ??= mkdtemp(join(this.parent, 'planexe-artifacts-')).then((d) => {
      track(d);
      return d;
    });
    return this.dir;
  }

  async newPath(prefix: string): Promise<string> {
    return join(await this.directory(), `${prefix}-${randomBytes(8).toString('hex')}`);
  }

  /** Writes a stream to a new file (hashing and capping it) and opens the result for reading. */
  async spool(src: Readable, prefix: string, cap?: number): Promise<SpooledFile> {
    const path = await this.newPath(prefix);
    const tap = new HashTap(cap);
    try {
      await pipeline(src, tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      await unlink(path).catch(() => {});
      throw e;
    }
    return this.adopt(path, tap.bytes, tap.digest());
  }

  /** Opens a finished file of this directory as a SpooledFile that deletes itself on dispose. */
  async adopt(path: string, size: number, sha256: string): Promise<SpooledFile> {
    const handle = await open(path, 'r');
    // unlinked while open (POSIX): the data lives as long as the handle, and a crash leaves nothing behind
    let unlinked = await unlink(path).then(
      () => true,
      () => false,
    );
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
        if (!unlinked) await unlink(path).catch(() => {});
        unlinked = true;
      },
    };
  }

  /** Deletes a file of this directory that was never adopted. */
  async discard(path: string): Promise<void> {
    await unlink(path).catch(() => {});
  }

  async close(): Promise<void> {
    const d = this.dir;
    this.dir = undefined;
    if (!d) return;
    const path = await d.catch(() => undefined);
    if (!path) return;
    liveDirs.delete(path);
    await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}
