import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { loadReportHtml, loadZipSnapshot, reportDigest, zipDigest, type Db } from '@planexe/db';
import { fetchWorker } from './workerHttp.ts';
import { sanitiseZip } from './zipSanitise.ts';

export const ZIP_SNAPSHOT_MAX_BYTES = 100_000_000;

export type ArtifactSource = 'db' | 'zip' | 'worker';

export interface ArtifactBytes {
  bytes: Uint8Array;
  source: ArtifactSource;
}

export interface ArtifactMeta {
  sha256: string;
  size: number;
  source: ArtifactSource;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function readCapped(res: Response, cap: number): Promise<Uint8Array | null> {
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > cap || !res.body) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of res.body as any as AsyncIterable<Uint8Array>) {
    total += c.length;
    if (total > cap) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The report: DB column → `report.html` inside the zip snapshot → worker HTTP. Each source isolated. */
export async function reportBytes(db: Db, planId: string, workerUrl?: string): Promise<ArtifactBytes | null> {
  try {
    const html = await loadReportHtml(db, planId);
    if (html != null) return { bytes: Buffer.from(html, 'utf8'), source: 'db' };
  } catch {}
  try {
    const zip = await loadZipSnapshot(db, planId);
    if (zip) {
      const files = unzipSync(zip.bytes, { filter: (f) => f.name === 'report.html' });
      if (files['report.html']) return { bytes: files['report.html'], source: 'zip' };
    }
  } catch {}
  if (workerUrl) {
    const res = await fetchWorker(`${workerUrl}/runs/${planId}/report`, 10_000);
    if (res?.status === 200) {
      const b = await readCapped(res, ZIP_SNAPSHOT_MAX_BYTES).catch(() => null);
      if (b) return { bytes: b, source: 'worker' };
    }
  }
  return null;
}

/** Report metadata without moving the report when the DB has it (sha256 computed by Postgres). */
export async function reportMeta(db: Db, planId: string, workerUrl?: string): Promise<ArtifactMeta | null> {
  try {
    const d = await reportDigest(db, planId);
    if (d) return { ...d, source: 'db' };
  } catch {}
  const b = await reportBytes(db, planId, workerUrl);
  return b ? { sha256: sha256(b.bytes), size: b.bytes.length, source: b.source } : null;
}

/** The user-downloadable zip: the stored snapshot (sanitised if legacy) → worker HTTP (sanitised, 100 MB cap). */
export async function zipBytes(db: Db, planId: string, workerUrl?: string): Promise<ArtifactBytes | null> {
  try {
    const snap = await loadZipSnapshot(db, planId);
    if (snap) {
      const bytes = snap.layoutVersion >= 2 ? snap.bytes : sanitiseZip(snap.bytes);
      return bytes ? { bytes, source: 'db' } : null;
    }
  } catch {}
  if (workerUrl) {
    const res = await fetchWorker(`${workerUrl}/runs/${planId}/zip`, 60_000);
    if (res?.status === 200) {
      const b = await readCapped(res, ZIP_SNAPSHOT_MAX_BYTES).catch(() => null);
      const clean = b ? sanitiseZip(b) : null;
      if (clean) return { bytes: clean, source: 'worker' };
    }
  }
  return null;
}

export async function zipMeta(db: Db, planId: string, workerUrl?: string): Promise<ArtifactMeta | null> {
  try {
    const d = await zipDigest(db, planId);
    if (d && d.layoutVersion >= 2) return { sha256: d.sha256, size: d.size, source: 'db' };
  } catch {}
  const b = await zipBytes(db, planId, workerUrl);
  return b ? { sha256: sha256(b.bytes), size: b.bytes.length, source: b.source } : null;
}
