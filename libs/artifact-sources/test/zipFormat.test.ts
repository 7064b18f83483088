import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Zip, ZipDeflate, ZipPassThrough, strToU8, unzipSync, zipSync } from 'fflate';
import { bufferStore, entryDataOffset, hashStream, openZipEntry, readZipDirectory, TempFiles, writeSanitisedZip, needsSanitising } from '../src/index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
/** fflate's streaming writer: data descriptors after each entry (flag bit 3), as many real-world zips have. */
function streamedZip(files: Record<string, Uint8Array>, stored: string[] = []): Buffer {
  const out: Uint8Array[] = [];
  const z = new Zip((err, chunk) => {
    if (err) throw err;
    out.push(chunk);
  });
  for (const [name, data] of Object.entries(files)) {
    const f = stored.includes(name) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    z.add(f);
    f.push(data, true);
  }
  z.end();
  return Buffer.concat(out);
}

describe('zip directory and entry streams over a byte store', () => {
  const html = strToU8('<html>' + 'report '.repeat(5000) + '</html>');
  const noise = randomBytes(300_000);
  const zip = Buffer.from(zipSync({ 'report.html': html, 'dir/': new Uint8Array(0), 'dir/noise.bin': [noise, { level: 0 }], 'a.md': strToU8('# a') }, { mtime: new Date(Date.UTC(2026, 2, 1, 12, 30, 10)) }));

  it('reads names, sizes, methods and UTC times from the central directory', async () => {
    const dir = await readZipDirectory(bufferStore(zip));
    const byName = new Map(dir.entries.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['a.md', 'dir/', 'dir/noise.bin', 'report.html']);
    expect(byName.get('dir/')!.isDirectory).toBe(true);
    expect(byName.get('report.html')).toMatchObject({ method: 8, size: html.length });
    expect(byName.get('dir/noise.bin')).toMatchObject({ method: 0, size: noise.length, compressedSize: noise.length });
    expect(byName.get('a.md')!.mtime.toISOString()).toBe('2026-03-01T12:30:10.000Z');
  });

  it('streams whole entries and any byte range of deflated and stored entries', async () => {
    const store = bufferStore(zip);
    const dir = await readZipDirectory(store);
    for (const [name, data] of [['report.html', Buffer.from(html)], ['dir/noise.bin', noise]] as const) {
      const e = dir.entries.find((x) => x.name === name)!;
      const off = await entryDataOffset(store, e);
      expect(sha(await collect(openZipEntry(store, e, off)))).toBe(sha(data));
      expect(await collect(openZipEntry(store, e, off, 1000, 1010))).toEqual(data.subarray(1000, 1010));
      expect(await collect(openZipEntry(store, e, off, data.length - 5, data.length))).toEqual(data.subarray(data.length - 5));
    }
  });

  it('a corrupted entry fails its CRC instead of delivering wrong bytes; garbage is not a zip', async () => {
    const bad = Buffer.from(zipSync({ 'x.txt': [strToU8('hello hello hello'), { level: 0 }] }));
    const i = bad.indexOf('hello');
    bad[i] = 'j'.charCodeAt(0);
    const store = bufferStore(bad);
    const [e] = (await readZipDirectory(store)).entries;
    await expect(collect(openZipEntry(store, e, await entryDataOffset(store, e)))).rejects.toThrow(/CRC/);
    await expect(readZipDirectory(bufferStore(randomBytes(5000)))).rejects.toThrow(/end-of-central-directory/);
    await expect(readZipDirectory(bufferStore(Buffer.alloc(3)))).rejects.toThrow(/too short/);
  });
});

describe('zip sanitisation (spec/artifacts.md §4)', () => {
  const files = {
    'plan.md': strToU8('# plan'),
    'track_activity.jsonl': strToU8('{"raw":"provider payload"}\n'),
    'nested/track_activity.jsonl': strToU8('{"raw":1}\n'),
    'nested/keep.json': strToU8('{"k":1}'),
    'big.bin': randomBytes(200_000),
  };

  it('detects activity logs at any depth and leaves clean archives alone', async () => {
    const clean = zipSync({ 'a.txt': strToU8('a'), 'dir/': new Uint8Array(0) });
    expect(needsSanitising(await readZipDirectory(bufferStore(clean)))).toBe(false);
    expect(needsSanitising(await readZipDirectory(bufferStore(zipSync({ 'nested/track_activity.jsonl': strToU8('x') }))))).toBe(true);
  });

  it.each([
    ['fflate zipSync (sizes in local headers)', () => Buffer.from(zipSync({ ...files, 'empty/': new Uint8Array(0) }))],
    ['a streamed zip with data descriptors', () => streamedZip(files, ['big.bin'])],
  ])('%s: drops the logs and directories, copies the rest byte for byte, deterministically', async (_n, make) => {
    const src = make();
    const temp = new TempFiles();
    const store = bufferStore(src);
    const dir = await readZipDirectory(store);
    const a = await writeSanitisedZip(store, dir, temp);
    const b = await writeSanitisedZip(store, dir, temp);
    expect(a.sha256).toBe(b.sha256);
    const bytes = await collect(a.handle.createReadStream({ start: 0, autoClose: false }));
    expect(bytes.length).toBe(a.size);
    expect(sha(bytes)).toBe(a.sha256);
    const out = unzipSync(bytes);
    expect(Object.keys(out).sort()).toEqual(['big.bin', 'nested/keep.json', 'plan.md']);
    expect(sha(out['big.bin'])).toBe(sha(files['big.bin']));
    expect(await hashStream(bufferStore(bytes).stream(0, bytes.length))).toEqual({ sha256: a.sha256, size: a.size });
    await a.dispose();
    await b.dispose();
    await temp.close();
  });
});
