import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { DownloadTokens, anonymousCaller } from '@planexe/auth';
import type { ArtifactHandle } from '@planexe/artifact-sources';
import type { ToolDeps } from './deps.ts';
import { fileContent, mimeTypeOf, DOWNLOAD_META_KEY } from './resourceContents.ts';

const PLAN = '11111111-2222-4333-8444-555555555555';
const tokens = new DownloadTokens(['s'], 900);
const deps = { tokens, settings: { resourceMaxInlineBytes: 1024 } } as unknown as ToolDeps;
const ctx = { caller: anonymousCaller(), surface: 'http' as const, baseUrl: 'https://planexe.example' };

/** A handle over bytes that counts how often its content is opened. */
function handle(bytes: Buffer, size = bytes.length) {
  const h = { opened: 0 } as ArtifactHandle & { opened: number };
  Object.assign(h, {
    source: 'db',
    size,
    sha256: 'abc',
    open: () => {
      h.opened++;
      return Readable.from([bytes]);
    },
    dispose: async () => {},
  });
  return h;
}

describe('a plan file as a resources/read content', () => {
  it('beyond the cap opens nothing and answers the signed URL of the download, which verifies', async () => {
    const h = handle(Buffer.alloc(0), 200_000_000);
    const c: any = await fileContent(deps, ctx, h, { uri: 'u', mimeType: 'application/zip', planId: PLAN, download: 'run.zip' });
    expect(h.opened).toBe(0);
    expect(c.mimeType).toBe('text/uri-list');
    const meta = c._meta[DOWNLOAD_META_KEY];
    expect(c.text).toBe(`${meta.download_url}\r\n`);
    expect(meta).toMatchObject({ size: 200_000_000, sha256: 'abc', content_type: 'application/zip' });
    const url = new URL(meta.download_url);
    expect(url.pathname).toBe(`/download/${PLAN}/run.zip`);
    expect(tokens.verify(url.searchParams.get('token')!, PLAN, 'run.zip')).toBe(true);
  });

  it('beyond the cap without a base URL: a plain note, still nothing read', async () => {
    const h = handle(Buffer.alloc(0), 5_000);
    const c: any = await fileContent(deps, { ...ctx, baseUrl: undefined }, h, { uri: 'u', mimeType: 'text/markdown', planId: PLAN, download: 'run.zip', inside: 'a.md' });
    expect(h.opened).toBe(0);
    expect(c).toMatchObject({ mimeType: 'text/plain' });
    expect(c.text).toContain('a.md inside the run');
  });

  it('within the cap: UTF-8 text types as text, invalid UTF-8 and binaries as base64 blobs', async () => {
    expect(await fileContent(deps, ctx, handle(Buffer.from('{"a":"é"}')), { uri: 'u', mimeType: 'application/json', planId: PLAN, download: 'run.zip' })).toEqual({
      uri: 'u',
      mimeType: 'application/json',
      text: '{"a":"é"}',
    });
    const bad = Buffer.from([0x66, 0xff, 0xfe]);
    expect(await fileContent(deps, ctx, handle(bad), { uri: 'u', mimeType: 'text/plain', planId: PLAN, download: 'run.zip' })).toEqual({ uri: 'u', mimeType: 'text/plain', blob: bad.toString('base64') });
    expect(mimeTypeOf('018-wbs.CSV')).toBe('text/csv');
    expect(mimeTypeOf('noext')).toBe('application/octet-stream');
  });
});
