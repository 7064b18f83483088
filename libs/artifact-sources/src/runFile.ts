import { Readable } from 'node:stream';
import { planFileContent, planFileEntry, type Db } from '@planexe/db';
import type { ArtifactHandle } from './artifactHandle.ts';
import { sharedSources } from './sharedSources.ts';
import { leftOutOfUserZip } from './userZip.ts';

/**
 * One intermediate file of a plan by name: the persisted step output (our source of truth, there while the plan
 * runs) → the same entry in the stored zip snapshot (legacy rows). The files a user zip leaves out (the activity
 * log, log.txt) are never found. Size and digest come first; the content is read only when `open` is called.
 */
export async function resolveRunFile(db: Db, planId: string, name: string, workerUrl?: string): Promise<ArtifactHandle | null> {
  if (leftOutOfUserZip(name)) return null;
  const row = await planFileEntry(db, planId, name);
  if (row) {
    return {
      source: 'db',
      size: row.byte_size,
      sha256: row.sha256,
      open: (start = 0, end = row.byte_size) =>
        Readable.from(
          (async function* () {
            const buf = await planFileContent(db, planId, name);
            if (buf) yield buf.subarray(start, end);
          })(),
        ),
      dispose: async () => {},
    };
  }
  return sharedSources(db, workerUrl).zipEntry(planId, name);
}
