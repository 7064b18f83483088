import { parseUuid } from '@planexe/contracts';
import { blobDigest, blobVersion, type BlobVersion, type Db, type StoredArtifact } from '@planexe/db';
import type { Logger } from '@planexe/telemetry';
import { DigestCache, spooledHandle, storeHandle, type ArtifactFile, type ArtifactHandle, type ArtifactMeta, type ArtifactSource } from './artifactHandle.ts';
import { fileStore, type ByteStore } from './byteStore.ts';
import { dbBlobStore } from './dbBlobStore.ts';
import type { CopyStreamer } from './pgCopyStream.ts';
import { buildRunDirZip, openRunDirFile } from './runDir.ts';
import { hashStream, TempFiles } from './tempFiles.ts';
import { workerGet, workerRunUrl, type WorkerEndpoint } from './workerFetch.ts';
import { entryDataOffset, readZipDirectory } from './zipDirectory.ts';
import { openZipEntry } from './zipEntryStream.ts';
import { needsSanitising, writeSanitisedZip } from './zipSanitise.ts';

/** Largest worker response accepted (spec/artifacts.md §3.2 ZIP_SNAPSHOT_MAX_BYTES). */
export const ZIP_SNAPSHOT_MAX_BYTES = 100_000_000;

export interface ArtifactSourcesOptions {
  db: Db;
  /** Postgres COPY streaming for stored artifacts; absent → a page per query (PGlite, or no pool given). */
  copy?: CopyStreamer;
  /** PLANEXE_RUN_DIR: enables the run-directory source (a shared volume with the worker). */
  runDir?: string;
  /** PLANEXE_WORKER_PLAN_URL: enables the worker HTTP source. */
  worker?: WorkerEndpoint;
  /** Cap on a worker response (default 100 000 000 bytes). */
  workerMaxBytes?: number;
  temp?: TempFiles;
  digests?: DigestCache;
  log?: Pick<Logger, 'warn'>;
}

type Step = [ArtifactSource, (planId: string) => Promise<ArtifactHandle | null>];

/**
 * Finds an artifact in the first source that has it (spec/artifacts.md §3, DESIGN "plan lifecycle" 6):
 * report.html: DB column → `report.html` in the DB zip snapshot → run dir → worker `/report`;
 * run.zip: DB snapshot (sanitised when legacy) → a zip of the run dir → worker `/zip` (always sanitised).
 * Every source is isolated: an error is logged and the next one is tried. Nothing is loaded whole: handles stream.
 */
export class ArtifactSources {
  readonly temp: TempFiles;
  private readonly digests: DigestCache;
  private readonly ownsTemp: boolean;

  constructor(private readonly o: ArtifactSourcesOptions) {
    this.ownsTemp = !o.temp;
    this.temp = o.temp ?? new TempFiles();
    this.digests = o.digests ?? new DigestCache();
  }

  /** Source names in the order tried, for a file. */
  chain(file: ArtifactFile): ArtifactSource[] {
    return this.steps(file).map(([s]) => s);
  }

  private steps(file: ArtifactFile): Step[] {
    const steps: Step[] =
      file === 'report.html'
        ? [
            ['db', (id) => this.fromDbColumn(id, 'report')],
            ['zip', (id) => this.fromZipEntry(id, 'report.html')],
            ['rundir', (id) => this.fromRunDirFile(id, 'report.html')],
            ['worker', (id) => this.fromWorker(id, 'report')],
          ]
        : [
            ['db', (id) => this.zipFromDb(id)],
            ['rundir', (id) => this.zipFromRunDir(id)],
            ['worker', (id) => this.fromWorker(id, 'zip')],
          ];
    return steps.filter(([s]) => (s === 'rundir' ? !!this.o.runDir : s === 'worker' ? !!this.o.worker : true));
  }

  /** The artifact from the first source that has it; the caller must dispose() the handle. */
  async resolve(planId: string, file: ArtifactFile): Promise<ArtifactHandle | null> {
    if (parseUuid(planId) !== planId) return null;
    for (const [source, step] of this.steps(file)) {
      try {
        const h = await step(planId);
        if (h) return h;
      } catch (err) {
        this.o.log?.warn({ plan_id: planId, file, source, err: err instanceof Error ? err.message : String(err) }, 'artifact source failed');
      }
    }
    return null;
  }

  /** One named file inside the stored zip snapshot (an intermediate file of a legacy row); the caller disposes it. */
  async zipEntry(planId: string, name: string): Promise<ArtifactHandle | null> {
    if (parseUuid(planId) !== planId) return null;
    return this.fromZipEntry(planId, name);
  }

  /** sha256, size and source (plan_file_info): the bytes are streamed through a hash, never held. */
  async meta(planId: string, file: ArtifactFile): Promise<ArtifactMeta | null> {
    const h = await this.resolve(planId, file);
    if (!h) return null;
    await h.dispose();
    return { sha256: h.sha256, size: h.size, source: h.source };
  }

  /** The whole artifact in memory: only for small files (published example reports). */
  async bytes(planId: string, file: ArtifactFile): Promise<{ bytes: Buffer; source: ArtifactSource } | null> {
    const h = await this.resolve(planId, file);
    if (!h) return null;
    try {
      const chunks: Buffer[] = [];
      for await (const c of h.open()) chunks.push(c as Buffer);
      return { bytes: Buffer.concat(chunks), source: h.source };
    } finally {
      await h.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.ownsTemp) await this.temp.close();
  }

  private async cachedDigest(key: string, compute: () => Promise<string>): Promise<string> {
    const hit = this.digests.get(key);
    if (hit) return hit;
    const d = await compute();
    this.digests.set(key, d);
    return d;
  }

  private dbDigest(v: BlobVersion): Promise<string> {
    return this.cachedDigest(`db:${v.planId}:${v.column}:${v.tag}:${v.size}`, () => blobDigest(this.o.db, v));
  }

  private async storedBlob(planId: string, column: StoredArtifact): Promise<{ v: BlobVersion; store: ByteStore } | null> {
    const v = await blobVersion(this.o.db, planId, column);
    return v ? { v, store: dbBlobStore(this.o.db, v, { copy: this.o.copy }) } : null;
  }

  private async fromDbColumn(planId: string, column: StoredArtifact): Promise<ArtifactHandle | null> {
    const b = await this.storedBlob(planId, column);
    return b ? storeHandle('db', b.store, await this.dbDigest(b.v)) : null;
  }

  /** One file of the DB zip snapshot, inflated as it streams. */
  private async fromZipEntry(planId: string, name: string): Promise<ArtifactHandle | null> {
    const b = await this.storedBlob(planId, 'zip');
    if (!b) return null;
    const dir = await readZipDirectory(b.store);
    const e = dir.entries.find((x) => x.name === name && !x.isDirectory);
    if (!e) return null;
    const off = await entryDataOffset(b.store, e);
    const key = `zip:${planId}:${b.v.tag}:${b.v.size}:${e.localHeaderOffset}:${e.crc32}`;
    const sha256 = await this.cachedDigest(key, async () => (await hashStream(openZipEntry(b.store, e, off))).sha256);
    return { source: 'zip', size: e.size, sha256, open: (s = 0, end = e.size) => openZipEntry(b.store, e, off, s, end), dispose: async () => {} };
  }

  private async fromRunDirFile(planId: string, name: string): Promise<ArtifactHandle | null> {
    const f = await openRunDirFile(this.o.runDir!, planId, name);
    if (!f) return null;
    try {
      const store = fileStore(f.handle, f.size);
      const sha256 = await this.cachedDigest(`rundir:${f.version}`, async () => (await hashStream(store.stream(0, f.size))).sha256);
      return storeHandle('rundir', store, sha256, () => f.handle.close());
    } catch (e) {
      await f.handle.close();
      throw e;
    }
  }

  private async zipFromDb(planId: string): Promise<ArtifactHandle | null> {
    const b = await this.storedBlob(planId, 'zip');
    if (!b) return null;
    if (b.v.layoutVersion >= 2) return storeHandle('db', b.store, await this.dbDigest(b.v));
    const dir = await readZipDirectory(b.store); // an unreadable legacy snapshot is not served
    if (!needsSanitising(dir)) return storeHandle('db', b.store, await this.dbDigest(b.v));
    return spooledHandle('db', await writeSanitisedZip(b.store, dir, this.temp));
  }

  private async zipFromRunDir(planId: string): Promise<ArtifactHandle | null> {
    const f = await buildRunDirZip(this.o.runDir!, planId, this.temp);
    return f ? spooledHandle('rundir', f) : null;
  }

  /**
   * The worker's answer is spooled to a temporary file while it is hashed (constant memory, capped), because the
   * sha256 (ETag), the exact length and — for zips — the sanitisation check all need the whole body before the
   * first byte goes to the client; the file then serves the download and any range of it.
   */
  private async fromWorker(planId: string, what: 'report' | 'zip'): Promise<ArtifactHandle | null> {
    const w = this.o.worker!;
    const cap = this.o.workerMaxBytes ?? ZIP_SNAPSHOT_MAX_BYTES;
    const res = await workerGet(w, workerRunUrl(w, planId, what), { connectMs: 3_000, idleMs: what === 'zip' ? 60_000 : 10_000 });
    if (!res) return null;
    if (Number(res.headers['content-length'] ?? 0) > cap) {
      res.destroy();
      return null;
    }
    const f = await this.temp.spool(res, `worker-${what}`, cap);
    if (what === 'report') return spooledHandle('worker', f);
    try {
      const store = fileStore(f.handle, f.size);
      const dir = await readZipDirectory(store);
      if (!needsSanitising(dir)) return spooledHandle('worker', f);
      const clean = await writeSanitisedZip(store, dir, this.temp);
      await f.dispose();
      return spooledHandle('worker', clean);
    } catch (e) {
      await f.dispose();
      throw e;
    }
  }
}
