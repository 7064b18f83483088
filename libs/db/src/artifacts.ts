import { sql } from 'kysely';
import type { Db } from './connect.ts';

export interface ArtifactDigest {
  sha256: string;
  size: number;
}

/** sha256 and size of the stored report, computed in the database (the report never travels for metadata). */
export async function reportDigest(db: Db, planId: string): Promise<ArtifactDigest | null> {
  const r = await sql<{ sha256: string | null; size: number | null }>`
    select encode(sha256(convert_to(generated_report_html, 'UTF8')), 'hex') as sha256,
           octet_length(convert_to(generated_report_html, 'UTF8')) as size
    from plans where id = ${planId}`.execute(db);
  const row = r.rows[0];
  return row?.sha256 ? { sha256: row.sha256, size: Number(row.size) } : null;
}

/** sha256, size and layout version of the stored zip snapshot. */
export async function zipDigest(db: Db, planId: string): Promise<(ArtifactDigest & { layoutVersion: number }) | null> {
  const r = await sql<{ sha256: string | null; size: number | null; layout: number | null }>`
    select encode(sha256(run_zip_snapshot), 'hex') as sha256, octet_length(run_zip_snapshot) as size,
           run_artifact_layout_version as layout
    from plans where id = ${planId}`.execute(db);
  const row = r.rows[0];
  return row?.sha256 ? { sha256: row.sha256, size: Number(row.size), layoutVersion: row.layout ?? 0 } : null;
}

export async function loadReportHtml(db: Db, planId: string): Promise<string | null> {
  const r = await db.selectFrom('plans').select('generated_report_html').where('id', '=', planId).executeTakeFirst();
  return r?.generated_report_html ?? null;
}

export async function loadZipSnapshot(db: Db, planId: string): Promise<{ bytes: Buffer; layoutVersion: number } | null> {
  const r = await db
    .selectFrom('plans')
    .select(['run_zip_snapshot', 'run_artifact_layout_version'])
    .where('id', '=', planId)
    .executeTakeFirst();
  if (!r?.run_zip_snapshot) return null;
  return { bytes: Buffer.from(r.run_zip_snapshot), layoutVersion: r.run_artifact_layout_version ?? 0 };
}

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
