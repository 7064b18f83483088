import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { candidateNames, downloadDirectory, saveStream } from './saveFile.ts';

async function* chunks(...parts: string[]) {
  for (const p of parts) yield Buffer.from(p);
}

describe('saving downloads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planexe-save-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names files <plan>-<file> with -1…-999 before the extension, and makes hostile ids harmless', () => {
    const n = candidateNames('abc', 'report.html');
    expect(n.slice(0, 3)).toEqual(['abc-report.html', 'abc-report-1.html', 'abc-report-2.html']);
    expect(n).toHaveLength(1000);
    expect(n.at(-1)).toBe('abc-report-999.html');
    const hostile = candidateNames('../../etc/x', 'run.zip')[0];
    expect(hostile).not.toMatch(/[/\\]|^\./);
    expect(hostile.endsWith('_etc_x-run.zip')).toBe(true);
    expect(candidateNames('a/b\\c', 'run.zip')[0]).toBe('a_b_c-run.zip');
  });

  it('never replaces an existing file and leaves no part file behind', async () => {
    await writeFile(join(dir, 'p-report.html'), 'existing');
    const s = await saveStream(dir, candidateNames('p', 'report.html'), chunks('new ', 'content'));
    expect(s.path).toBe(join(dir, 'p-report-1.html'));
    expect(await readFile(join(dir, 'p-report.html'), 'utf8')).toBe('existing');
    expect(await readFile(s.path, 'utf8')).toBe('new content');
    expect(s.size).toBe(11);
    expect((await readdir(dir)).sort()).toEqual(['p-report-1.html', 'p-report.html']);
  });

  it('a failed verification or a full name range saves nothing', async () => {
    await expect(
      saveStream(dir, ['x.html'], chunks('abc'), () => {
        throw new Error('sha256 mismatch');
      }),
    ).rejects.toThrow(/mismatch/);
    await writeFile(join(dir, 'only.html'), 'taken');
    await expect(saveStream(dir, ['only.html'], chunks('abc'))).rejects.toThrow(/no free file name/);
    expect(await readdir(dir)).toEqual(['only.html']);
  });

  it('PLANEXE_PATH: created when missing, ~ expanded, a file is refused', async () => {
    expect(await downloadDirectory(join(dir, 'a', 'b'))).toBe(join(dir, 'a', 'b'));
    expect(await downloadDirectory(undefined, dir)).toBe(dir);
    expect(await downloadDirectory('sub', dir)).toBe(join(dir, 'sub'));
    expect(await downloadDirectory('~')).toBe(homedir());
    await writeFile(join(dir, 'file'), 'x');
    await expect(downloadDirectory(join(dir, 'file'))).rejects.toThrow(`PLANEXE_PATH is not a directory: ${join(dir, 'file')}`);
  });
});
