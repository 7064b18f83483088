import type { Db } from './connect.ts';

export interface FileEntry {
  path: string;
  updated_at: Date | null;
}

/** Name-sorted list of the plan's persisted files (log.txt excluded, as upstream). */
export async function listPlanFiles(db: Db, planId: string): Promise<FileEntry[]> {
  const rows = await db
    .selectFrom('plan_files')
    .select(['filename', 'updated_at'])
    .where('plan_id', '=', planId)
    .where('filename', '!=', 'log.txt')
    .orderBy('filename')
    .execute();
  return rows.map((r) => ({ path: r.filename, updated_at: r.updated_at }));
}
