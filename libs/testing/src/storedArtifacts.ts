import { blobPages, blobVersion, type Db } from '@planexe/db';

/** The plan's stored run.zip, whichever form holds it (chunked blob or legacy column), whole: for assertions only. */
export async function storedZip(db: Db, planId: string): Promise<Uint8Array | null> {
  const v = await blobVersion(db, planId, 'zip');
  if (!v) return null;
  const parts: Buffer[] = [];
  for await (const p of blobPages(db, v, 0, v.size)) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}
