import { zTimestamp } from '@planexe/contracts';
import { blobVersion, listPlanFiles, type Db } from '@planexe/db';
import { dbBlobStore } from './dbBlobStore.ts';
import { workerJson, workerRunUrl } from './workerFetch.ts';
import { readZipDirectory } from './zipDirectory.ts';

export interface ListedFile {
  path: string;
  updated_at: string | null;
}

const byPath = (a: ListedFile, b: ListedFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Entries of the stored zip snapshot (directories skipped), name-sorted, entry times read as UTC; [] if unreadable. */
export async function listZipSnapshot(db: Db, planId: string): Promise<ListedFile[]> {
  const v = await blobVersion(db, planId, 'zip');
  if (!v) return [];
  try {
    // only the central directory is read, never the whole snapshot
    const dir = await readZipDirectory(dbBlobStore(db, v));
    return dir.entries.filter((e) => !e.isDirectory).map((e) => ({ path: e.name, updated_at: zTimestamp(e.mtime) })).sort(byPath);
  } catch {
    return [];
  }
}

/**
 * The plan's files: persisted step outputs (our source of truth) → the stored zip snapshot (legacy rows) → the
 * worker run-file API (only when PLANEXE_WORKER_PLAN_URL is configured; 5 s cap). `log.txt` is never listed.
 */
export async function listFiles(db: Db, planId: string, workerUrl?: string): Promise<ListedFile[]> {
  const persisted = await listPlanFiles(db, planId);
  if (persisted.length) return persisted.map((f) => ({ path: f.path, updated_at: zTimestamp(f.updated_at) }));
  let files = await listZipSnapshot(db, planId);
  if (!files.length && workerUrl) {
    const w = { url: workerUrl };
    const body = (await workerJson(w, workerRunUrl(w, planId, 'files'), 5_000)) as any;
    if (Array.isArray(body?.files_with_timestamps)) {
      files = body.files_with_timestamps
        .filter((f: any) => typeof f?.name === 'string')
        .map((f: any) => ({ path: f.name, updated_at: typeof f.updated_at === 'string' ? f.updated_at : null }));
    } else if (Array.isArray(body?.files)) {
      const now = zTimestamp(new Date());
      files = body.files.filter((n: unknown) => typeof n === 'string').map((n: string) => ({ path: n, updated_at: now }));
    }
  }
  return files.filter((f) => f.path !== 'log.txt');
}
