import type { Readable } from 'node:stream';
import type { ByteStore } from './byteStore.ts';
import type { SpooledFile } from './tempFiles.ts';
import { fileStore } from './byteStore.ts';

/** Where a served artifact came from (X-PlanExe-Source). */
export type ArtifactSource = 'db' | 'zip' | 'rundir' | 'worker';

export type ArtifactFile = 'report.html' | 'run.zip';

/**
 * One artifact, found and described but not yet read: its exact length and sha256 are known before the first
 * byte is sent (Content-Length, ETag, Range), and `open` streams any byte range of it. `dispose` releases what
 * the handle holds (an open file, a temporary file); call it once the response is over.
 */
export interface ArtifactHandle {
  source: ArtifactSource;
  size: number;
  sha256: string;
  /** Bytes [start, end) (default: all). */
  open(start?: number, end?: number): Readable;
  dispose(): Promise<void>;
}

export interface ArtifactMeta {
  sha256: string;
  size: number;
  source: ArtifactSource;
}

export function storeHandle(source: ArtifactSource, store: ByteStore, sha256: string, dispose: () => Promise<void> = async () => {}): ArtifactHandle {
  return {
    source,
    size: store.size,
    sha256,
    open: (start = 0, end = store.size) => store.stream(start, end),
    dispose,
  };
}

export function spooledHandle(source: ArtifactSource, f: SpooledFile): ArtifactHandle {
  return storeHandle(source, fileStore(f.handle, f.size), f.sha256, f.dispose);
}

/** Digests of artifact versions already hashed once (bounded; oldest dropped first). */
export class DigestCache {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 2_000) {}
  get(key: string): string | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, sha256: string): void {
    this.map.delete(key);
    this.map.set(key, sha256);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}
