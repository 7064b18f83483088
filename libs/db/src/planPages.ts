import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { FileEntry } from './artifacts.ts';

/** What a resource listing needs of a plan: no prompt body beyond an excerpt, no large columns. */
export interface PlanPageRow {
  id: string;
  state: string;
  prompt_excerpt: string;
  timestamp_created: Date;
  has_zip: boolean;
}

/**
 * One page of an owner's plans, newest first (ties by id), after the plan `afterId` when given. Keyset paging on the
 * row's own (timestamp_created, id), read in the database so the timestamp's microseconds are never rounded through a
 * JS Date. Returns `null` when `afterId` is not one of the owner's plans (a bad or foreign cursor; the caller cannot
 * tell which). The owner is always applied: this is a caller's listing, never an operator's.
 */
export async function listPlanPage(db: Db, owner: string, limit: number, afterId?: string): Promise<PlanPageRow[] | null> {
  if (afterId !== undefined) {
    const anchor = await db.selectFrom('plans').select('id').where('id', '=', afterId).where('user_id', '=', owner).executeTakeFirst();
    if (!anchor) return null;
  }
  const after =
    afterId === undefined
      ? sql``
      : sql` and (p.timestamp_created, p.id) < (select a.timestamp_created, a.id from plans a where a.id = ${afterId})`;
  const r = await sql<PlanPageRow>`
    select p.id, p.state, left(p.prompt, 100) as prompt_excerpt, p.timestamp_created,
      (p.run_zip_blob_id is not null or p.run_zip_snapshot is not null) as has_zip
    from plans p where p.user_id = ${owner}${after}
    order by p.timestamp_created desc, p.id desc limit ${limit}`.execute(db);
  return r.rows;
}

/** The persisted files of several plans (log.txt excluded), name-sorted per plan, with their sizes. */
export async function listFilesOfPlans(db: Db, planIds: string[]): Promise<Map<string, (FileEntry & { byte_size: number })[]>> {
  const out = new Map<string, (FileEntry & { byte_size: number })[]>(planIds.map((id) => [id, []]));
  if (!planIds.length) return out;
  const rows = await db
    .selectFrom('plan_files')
    .select(['plan_id', 'filename', 'updated_at', 'byte_size'])
    .where('plan_id', 'in', planIds)
    .where('filename', '!=', 'log.txt')
    .orderBy('plan_id')
    .orderBy('filename')
    .execute();
  for (const r of rows) out.get(r.plan_id)?.push({ path: r.filename, updated_at: r.updated_at, byte_size: r.byte_size });
  return out;
}

/** One persisted file's size and digest, without its content. */
export async function planFileEntry(db: Db, planId: string, name: string): Promise<{ byte_size: number; sha256: string } | undefined> {
  return db.selectFrom('plan_files').select(['byte_size', 'sha256']).where('plan_id', '=', planId).where('filename', '=', name).executeTakeFirst();
}

/** One persisted file's content (read only once its size is known to be within the caller's cap). */
export async function planFileContent(db: Db, planId: string, name: string): Promise<Buffer | undefined> {
  const r = await db.selectFrom('plan_files').select('content').where('plan_id', '=', planId).where('filename', '=', name).executeTakeFirst();
  return r ? Buffer.from(r.content) : undefined;
}
