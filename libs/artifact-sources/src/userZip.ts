import { crc32, deflateRawSync } from 'node:zlib';
import { zipStream, type ZipMember } from './zipWriter.ts';

/**
 * What a user's zip leaves out (spec/artifacts.md §4), matched by base name at any depth: the raw provider
 * payloads of the activity log, which must never reach a user, and the worker's own log.
 */
const LEFT_OUT = new Set(['track_activity.jsonl', 'log.txt']);
const ACTIVITY_LOG = 'track_activity.jsonl';

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Whether a run file stays out of every zip (and file list) a user gets. */
export const leftOutOfUserZip = (path: string) => LEFT_OUT.has(baseName(path));

/**
 * Whether an archive made elsewhere (a legacy snapshot, the worker service's zip) must be rewritten without this
 * entry. Only the activity log forces a rewrite: the spec serves an archive that lacks it byte for byte.
 */
export const isActivityLog = (path: string) => baseName(path) === ACTIVITY_LOG;

/** A file held in memory, deflated with native zlib at the level the worker has always used. */
export function memoryMember(name: string, data: Uint8Array, mtime: Date): ZipMember {
  return { name, mtime, method: 8, body: [deflateRawSync(data, { level: 6 })], sums: () => ({ crc: crc32(data), size: data.length }) };
}

/** The user zip of a run's files (its final snapshot): every file but those left out, sorted by name. */
export async function userZip(files: Map<string, Uint8Array>, mtime = new Date()): Promise<Buffer> {
  const names = [...files.keys()].filter((n) => !leftOutOfUserZip(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chunks: Uint8Array[] = [];
  for await (const c of zipStream(names.map((n) => memoryMember(n, files.get(n)!, mtime)))) chunks.push(c);
  return Buffer.concat(chunks);
}
