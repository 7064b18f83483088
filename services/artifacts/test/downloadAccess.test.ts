import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac } from 'node:crypto';
import { DownloadTokens } from '@planexe/auth';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { API_SECRET, jsonOf, planWith, request, startArtifactsServer, TOKEN_SECRET, userWithKey, type ArtifactsTestServer } from './downloadHarness.ts';

const kind = (await dbKinds()).includes('postgres') ? 'postgres' : 'pglite';
const INVALID = (message: string) => ({ error: { code: 'INVALID_DOWNLOAD_TOKEN', message }, detail: 'Invalid or expired download token' });

describe(`download access: signed tokens and API keys (${kind})`, () => {
  let dbh: DbHandle;
  let srv: ArtifactsTestServer;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let bob: Awaited<ReturnType<typeof userWithKey>>;
  let plan: string;
  let other: string;
  const html = '<html>alice</html>';

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    srv = await startArtifactsServer(dbh.db);
    alice = await userWithKey(dbh.db);
    bob = await userWithKey(dbh.db);
    plan = await planWith(dbh.db, alice.user.id, { reportHtml: html, zip: new Uint8Array([0x50, 0x4b, 5, 6, ...new Array(18).fill(0)]) });
    other = await planWith(dbh.db, bob.user.id, { reportHtml: '<html>bob</html>' });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  const url = (id: string, file: string, token?: string) => `/download/${id}/${file}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const sign = (id: string, file: 'report.html' | 'run.zip') => srv.tokens.sign(id, file).token;

  it('a valid token alone downloads any plan; the edge lets it through without a key', async () => {
    const r = await request(srv.url, url(plan, 'report.html', sign(plan, 'report.html')));
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(html);
    expect((await request(srv.url, url(other, 'report.html', sign(other, 'report.html')))).status).toBe(200);
  });

  it('with a key and no token only the caller\'s own plans exist', async () => {
    expect((await request(srv.url, url(plan, 'report.html'), { 'X-API-Key': alice.key })).status).toBe(200);
    const r = await request(srv.url, url(plan, 'report.html'), { 'X-API-Key': bob.key });
    expect(r.status).toBe(404);
    expect(jsonOf(r)).toEqual({ error: { code: 'NOT_FOUND', message: 'Plan not found' }, detail: 'Plan not found' });
    expect((await request(srv.url, url(plan, 'report.html'))).status).toBe(401); // no key, no token
    expect((await request(srv.url, url(plan, 'report.html'), { 'X-API-Key': 'pex_wrong' })).status).toBe(403);
  });

  it('a token for another plan or another file is refused, even next to a valid key', async () => {
    const forOther = sign(other, 'report.html');
    const forZip = sign(plan, 'run.zip');
    for (const [tok, headers] of [
      [forOther, { 'X-API-Key': alice.key }],
      [forZip, { 'X-API-Key': alice.key }],
      ['', { 'X-API-Key': alice.key }],
    ] as const) {
      const r = await request(srv.url, url(plan, 'report.html', tok), headers);
      expect(r.status).toBe(401);
      expect(jsonOf(r).detail).toBe('Invalid or expired download token');
      expect(jsonOf(r).error.code).toBe('INVALID_DOWNLOAD_TOKEN');
    }
    expect(jsonOf(await request(srv.url, url(plan, 'report.html', forZip), { 'X-API-Key': alice.key }))).toEqual(
      INVALID('Download token is not valid for this plan and file'),
    );
    // two token parameters are not a token
    const two = await request(srv.url, `${url(plan, 'report.html', sign(plan, 'report.html'))}&token=x`, { 'X-API-Key': alice.key });
    expect(jsonOf(two)).toEqual(INVALID('Malformed download token'));
  });

  it('tampering with the expiry, the key id or the MAC, and expired tokens, are refused with a clear message', async () => {
    const h = { 'X-API-Key': alice.key };
    const tok = sign(plan, 'report.html');
    const [exp, mac] = tok.split('.');
    const flip = (s: string) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1);
    const cases: [string, string][] = [
      [`${Number(exp) - 1}.${mac}`, 'Download token is not valid for this plan and file'],
      [`${exp}.${flip(mac)}`, 'Download token is not valid for this plan and file'],
      [`${exp}.k9.${mac}`, 'Download token was signed with an unknown key'],
      [`${exp}.${mac.toUpperCase()}`, 'Malformed download token'],
      [`${exp}`, 'Malformed download token'],
      [`${Number(exp) + 86_400}.${mac}`, 'Download token expiry is beyond the allowed token lifetime'],
    ];
    const expiry = Math.floor(Date.now() / 1000) - 1;
    const stale = `${expiry}.${createHmac('sha256', TOKEN_SECRET).update(`${plan}:report.html:${expiry}`).digest('hex')}`;
    cases.push([stale, 'Download token has expired: call plan_file_info for a fresh download_url']);
    for (const [t, message] of cases) {
      const r = await request(srv.url, url(plan, 'report.html', t), h);
      expect(r.status, t).toBe(401);
      expect(jsonOf(r), t).toEqual(INVALID(message));
    }
  });

  it('rotation: tokens of a rotated-in key and of the previous secret both work; a dropped key does not', async () => {
    const ring = 'k2:rotated-secret-0123456789,default';
    const rotated = await startArtifactsServer(dbh.db, { tokens: new DownloadTokens([TOKEN_SECRET, API_SECRET], 900, { keyring: ring }) });
    const dropped = await startArtifactsServer(dbh.db, { tokens: new DownloadTokens([TOKEN_SECRET], 900, { keyring: 'k2:rotated-secret-0123456789' }) });
    try {
      const newTok = rotated.tokens.sign(plan, 'report.html').token;
      expect(newTok).toMatch(/^\d+\.k2\.[0-9a-f]{64}$/);
      const oldTok = sign(plan, 'report.html');
      expect((await request(rotated.url, url(plan, 'report.html', newTok))).status).toBe(200);
      expect((await request(rotated.url, url(plan, 'report.html', oldTok))).status).toBe(200);
      expect((await request(dropped.url, url(plan, 'report.html', newTok))).status).toBe(200);
      const r = await request(dropped.url, url(plan, 'report.html', oldTok), { 'X-API-Key': alice.key });
      expect(jsonOf(r)).toEqual(INVALID('Download token was signed with an unknown key'));
      // the old replica does not know k2 yet: why phase 1 of a rotation only adds the key
      expect(jsonOf(await request(srv.url, url(plan, 'report.html', newTok), { 'X-API-Key': alice.key })).error.message).toBe(
        'Download token was signed with an unknown key',
      );
    } finally {
      await rotated.close();
      await dropped.close();
    }
  });

  it('file names other than report.html and run.zip are not found; other methods are not allowed', async () => {
    const h = { 'X-API-Key': alice.key };
    const r = await request(srv.url, `/download/${plan}/plan.md`, h);
    expect(r.status).toBe(404);
    expect(jsonOf(r).detail).toBe('Report not found');
    expect((await request(srv.url, `/download/${plan}/REPORT.HTML`, h)).status).toBe(404);
    expect((await request(srv.url, `/download/${plan}`, h)).status).toBe(404);
    expect(jsonOf(await request(srv.url, `/download/not-a-plan/report.html`, h)).detail).toBe('Plan not found');
    const post = await request(srv.url, url(plan, 'report.html'), h, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    '/download/../etc/passwd',
    '/download/%2e%2e/%2e%2e/etc/passwd',
    '/download/PLAN/..%2f..%2fetc%2fpasswd',
    '/download/PLAN/%2e%2e%2freport.html',
    '/download/PLAN/..%5creport.html',
    '/download/PLAN/report.html%00.zip',
    '/download/PLAN/..\\report.html',
    '/download/PLAN/%2E%2E',
    '/download/PLAN/report.html/..',
    '/download/PLAN/%E0%A4%A',
  ])('%s matches no route: 404 before any lookup', async (raw) => {
    const r = await request(srv.url, raw.replace('PLAN', plan), { 'X-API-Key': alice.key });
    expect(r.status).toBe(404);
    expect(jsonOf(r)).toEqual({ error: { code: 'NOT_FOUND', message: 'Not Found' }, detail: 'Not Found' });
  });
});
