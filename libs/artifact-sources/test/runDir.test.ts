import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { buildRunDirZip, openRunDirFile, readZipDirectory, fileStore, TempFiles } from '../src/index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the run directory source', () => {
  let base: string;
  let outside: string;
  const id = randomUUID();
  const temp = new TempFiles();
  const noise = randomBytes(500_000);

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'planexe-rundir-'));
    outside = await mkdtemp(join(tmpdir(), 'planexe-outside-'));
    const dir = join(base, id);
    await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
    await writeFile(join(dir, 'report.html'), '<html>ok</html>');
    await writeFile(join(dir, 'plan.md'), '# plan\n'.repeat(1000));
    await writeFile(join(dir, 'noise.bin'), noise);
    await writeFile(join(dir, 'log.txt'), 'secret log');
    await writeFile(join(dir, 'track_activity.jsonl'), '{}');
    await writeFile(join(dir, 'sub', 'deeper', 'x.json'), '{"x":1}');
    await writeFile(join(dir, 'sub', 'track_activity.jsonl'), '{}');
    await writeFile(join(dir, 'sub', 'ünï.txt'), 'utf8 name');
    await writeFile(join(outside, 'secret.txt'), 'outside');
    await symlink(join(outside, 'secret.txt'), join(dir, 'linked.txt'));
    for (const f of ['report.html', 'plan.md', 'noise.bin', 'sub/deeper/x.json', 'sub/ünï.txt']) await utimes(join(dir, f), new Date('2026-01-02T03:04:06Z'), new Date('2026-01-02T03:04:06Z'));
    await mkdir(join(base, randomUUID()));
  });
  afterAll(async () => {
    await temp.close();
    await rm(base, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('opens regular files of the plan dir only: no symlink out, no odd names, no other ids', async () => {
    const f = (await openRunDirFile(base, id, 'report.html'))!;
    expect(f.size).toBe(15);
    await f.handle.close();
    expect(await openRunDirFile(base, id, 'linked.txt')).toBeNull();
    expect(await openRunDirFile(base, id, '../x')).toBeNull();
    expect(await openRunDirFile(base, id, 'sub')).toBeNull();
    expect(await openRunDirFile(base, id, 'missing.html')).toBeNull();
    expect(await openRunDirFile(base, '../' + id, 'report.html')).toBeNull();
    expect(await openRunDirFile(base, id.toUpperCase(), 'report.html')).toBeNull();
    expect(await openRunDirFile(join(base, 'nope'), id, 'report.html')).toBeNull();
  });

  it('zips every file recursively except logs and links; deterministic; stores incompressible data', async () => {
    const a = (await buildRunDirZip(base, id, temp))!;
    const b = (await buildRunDirZip(base, id, temp))!;
    expect(a.sha256).toBe(b.sha256);
    const dir = await readZipDirectory(fileStore(a.handle, a.size));
    const byName = new Map(dir.entries.map((e) => [e.name, e]));
    expect([...byName.keys()]).toEqual(['noise.bin', 'plan.md', 'report.html', 'sub/deeper/x.json', 'sub/ünï.txt']);
    expect(byName.get('noise.bin')!.method).toBe(0);
    expect(byName.get('plan.md')!.method).toBe(8);
    expect(byName.get('plan.md')!.mtime.toISOString()).toBe('2026-01-02T03:04:06.000Z');
    const buf = Buffer.alloc(a.size);
    await a.handle.read(buf, 0, a.size, 0);
    expect(sha(buf)).toBe(a.sha256);
    const files = unzipSync(buf);
    expect(sha(files['noise.bin'])).toBe(sha(noise));
    expect(Buffer.from(files['sub/ünï.txt']).toString()).toBe('utf8 name');
    await a.dispose();
    await b.dispose();
    expect(await buildRunDirZip(base, randomUUID(), temp)).toBeNull();
  });
});
