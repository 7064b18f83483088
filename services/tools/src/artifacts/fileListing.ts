import { unzipSync } from 'fflate';
import { listPlanFiles, loadZipSnapshot, type Db } from '@planexe/db';
import { zTimestamp } from '@planexe/contracts';
import { fetchWorker } from './workerHttp.ts';

export interface ListedFile {
  path: string;
  updated_at: string | null;
}

/** Entries of a zip snapshot (directories skipped), name-sorted, with entry times read as UTC. */
export function listZipEntries(bytes: Uint8Array): ListedFile[] {
  const out: ListedFile[] = [];
  try {
    // fflate exposes entry names and sizes through its filter hook without inflating anything
    unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('/')) out.push({ path: f.name, updated_at: null });
        return false;
      },
    });
  } catch {
    return [];
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The plan's files: persisted step outputs (our source of truth) → the stored zip snapshot (legacy rows) → the
 * worker run-file API (only when PLANEXE_WORKER_PLAN_URL is configured; 5 s cap). `log.txt` is never listed.
 */
export async function listFiles(db: Db, planId: string, workerUrl?: string): Promise<ListedFile[]> {
  const persisted = await listPlanFiles(db, planId);
  if (persisted.length) return persisted.map((f) => ({ path: f.path, updated_at: zTimestamp(f.updated_at) }));
  const zip = await loadZipSnapshot(db, planId);
  let files = zip ? listZipEntries(zip.bytes) : [];
  if (!files.length && workerUrl) {
    const res = await fetchWorker(`${workerUrl}/runs/${planId}/files`, 5_000);
    if (res?.ok) {
      const body = (await res.json().catch(() => null)) as any;
      if (Array.isArray(body?.files_with_timestamps)) {
        files = body.files_with_timestamps
          .filter((f: any) => typeof f?.name === 'string')
          .map((f: any) => ({ path: f.name, updated_at: typeof f.updated_at === 'string' ? f.updated_at : null }));
      } else if (Array.isArray(body?.files)) {
        const now = zTimestamp(new Date());
        files = body.files.filter((n: unknown) => typeof n === 'string').map((n: string) => ({ path: n, updated_at: now }));
      }
    }
  }
  return files.filter((f) => f.path !== 'log.txt');
}
