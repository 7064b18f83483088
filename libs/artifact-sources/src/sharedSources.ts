import type { Db } from '@planexe/db';
import { DigestCache, type ArtifactMeta, type ArtifactSource } from './artifactHandle.ts';
import { ArtifactSources } from './artifactSources.ts';
import { TempFiles } from './tempFiles.ts';

const temp = new TempFiles();
const digests = new DigestCache();
const byDb = new WeakMap<Db, Map<string, ArtifactSources>>();

/**
 * One ArtifactSources per database and worker URL, sharing a temp directory and digest cache: the tools' entry
 * points (plan_file_info, published examples), which know only the database and PLANEXE_WORKER_PLAN_URL.
 */
export function sharedSources(db: Db, workerUrl?: string): ArtifactSources {
  let m = byDb.get(db);
  if (!m) byDb.set(db, (m = new Map()));
  const key = workerUrl ?? '';
  let s = m.get(key);
  if (!s) m.set(key, (s = new ArtifactSources({ db, worker: workerUrl ? { url: workerUrl } : undefined, temp, digests })));
  return s;
}

export const reportMeta = (db: Db, planId: string, workerUrl?: string): Promise<ArtifactMeta | null> => sharedSources(db, workerUrl).meta(planId, 'report.html');
export const zipMeta = (db: Db, planId: string, workerUrl?: string): Promise<ArtifactMeta | null> => sharedSources(db, workerUrl).meta(planId, 'run.zip');
export const reportBytes = (db: Db, planId: string, workerUrl?: string): Promise<{ bytes: Buffer; source: ArtifactSource } | null> =>
  sharedSources(db, workerUrl).bytes(planId, 'report.html');
export const zipBytes = (db: Db, planId: string, workerUrl?: string): Promise<{ bytes: Buffer; source: ArtifactSource } | null> =>
  sharedSources(db, workerUrl).bytes(planId, 'run.zip');
