import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { DownloadTokens, parseDownloadKeyring, type TokenCheck } from './downloadTokens.ts';

const reasonOf = (c: TokenCheck) => (c.ok ? 'ok' : c.reason);

const id = '11111111-2222-4333-8444-555555555555';
const other = '99999999-2222-4333-8444-555555555555';
const now = 1_800_000_000_000;
const hmac = (secret: string, msg: string) => createHmac('sha256', secret).update(msg).digest('hex');

describe('download tokens: the spec form (spec/artifacts.md §1)', () => {
  const t = new DownloadTokens(['s1'], 900);

  it('is `<expiry>.<hex hmac>` over plan:file:expiry with the first non-empty secret', () => {
    const { token, expiry, kid, expiresAt } = t.sign(id, 'report.html', now);
    expect(token).toMatch(/^\d+\.[0-9a-f]{64}$/);
    expect(expiry).toBe(now / 1000 + 900);
    expect(kid).toBe('default');
    expect(expiresAt.getTime()).toBe(now + 900_000);
    expect(token).toBe(`${expiry}.${hmac('s1', `${id}:report.html:${expiry}`)}`);
    const fallback = new DownloadTokens([undefined, '', 'api-secret'], 900);
    expect(fallback.ephemeral).toBe(false);
    expect(fallback.sign(id, 'run.zip', now).token).toBe(`${expiry}.${hmac('api-secret', `${id}:run.zip:${expiry}`)}`);
  });

  it('verifies for exactly one plan and file until the start of its expiry second', () => {
    const { token } = t.sign(id, 'report.html', now);
    expect(t.check(token, id, 'report.html', now)).toEqual({ ok: true, kid: 'default', expiry: now / 1000 + 900 });
    expect(t.check(token, id, 'run.zip', now)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(t.check(token, other, 'report.html', now)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(t.verify(token, id, 'report.html', now + 900_000)).toBe(true);
    expect(t.check(token, id, 'report.html', now + 900_001)).toMatchObject({ ok: false, reason: 'expired' });
    expect(t.check(token.toUpperCase(), id, 'report.html', now)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('a correctly signed token that expired a second ago is refused', () => {
    const expiry = now / 1000 - 1;
    const token = `${expiry}.${hmac('s1', `${id}:report.html:${expiry}`)}`;
    expect(t.check(token, id, 'report.html', now)).toEqual({ ok: false, reason: 'expired', kid: 'default', expiry });
  });

  it('tampering with any field is refused', () => {
    const { token, expiry } = t.sign(id, 'run.zip', now);
    const mac = token.split('.')[1];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
    expect(reasonOf(t.check(`${expiry - 1}.${mac}`, id, 'run.zip', now))).toBe('bad_signature');
    expect(reasonOf(t.check(`${expiry}.${flip(mac, 0)}`, id, 'run.zip', now))).toBe('bad_signature');
    expect(reasonOf(t.check(`${expiry}.${flip(mac, 63)}`, id, 'run.zip', now))).toBe('bad_signature');
    expect(reasonOf(t.check(`${expiry}.${'0'.repeat(64)}`, id, 'run.zip', now))).toBe('bad_signature');
    expect(reasonOf(t.check(`${expiry}.${mac}0`, id, 'run.zip', now))).toBe('malformed');
    expect(reasonOf(t.check(`${expiry}.k1.${mac}`, id, 'run.zip', now))).toBe('unknown_key');
  });

  it.each(['', 'nodot', 'abc.def.extra', 'notanint.abc', '123.é', '-5.' + 'a'.repeat(64), '1.2.3.4', `1e9.${'a'.repeat(64)}`, 'x'.repeat(500)])(
    'rejects %j as malformed',
    (tok) => expect(t.check(tok, id, 'report.html', now)).toEqual({ ok: false, reason: 'malformed' }),
  );

  it('an expiry further away than the lifetime cap is refused, even with a valid signature', () => {
    const long = new DownloadTokens(['s1'], 86_400).sign(id, 'report.html', now).token;
    expect(t.check(long, id, 'report.html', now)).toMatchObject({ ok: false, reason: 'beyond_cap' });
    expect(new DownloadTokens(['s1'], 900, { maxLifetimeSeconds: 86_400 }).verify(long, id, 'report.html', now)).toBe(true);
    expect(() => new DownloadTokens(['s1'], 900, { maxLifetimeSeconds: 60 })).toThrow(/cap/);
  });

  it('without any secret a random per-process secret is used (tokens die with the process)', () => {
    const a = new DownloadTokens([undefined, ''], 900);
    expect(a.ephemeral).toBe(true);
    const { token } = a.sign(id, 'report.html', now);
    expect(a.verify(token, id, 'report.html', now)).toBe(true);
    expect(new DownloadTokens([], 900).verify(token, id, 'report.html', now)).toBe(false);
  });
});

describe('download tokens: key ids and rotation', () => {
  it('a keyring signs `<expiry>.<kid>.<mac>` with its first key, the kid bound into the MAC', () => {
    const t = new DownloadTokens(['old-secret'], 900, { keyring: 'k2:new-secret-0123456789,default' });
    const { token, kid, expiry } = t.sign(id, 'run.zip', now);
    expect(kid).toBe('k2');
    expect(token).toBe(`${expiry}.k2.${hmac('new-secret-0123456789', `${id}:run.zip:${expiry}:k2`)}`);
    expect(t.check(token, id, 'run.zip', now)).toEqual({ ok: true, kid: 'k2', expiry });
    // the same MAC presented under the default key (kid removed) does not verify
    expect(reasonOf(t.check(`${expiry}.${token.split('.')[2]}`, id, 'run.zip', now))).toBe('bad_signature');
  });

  it('zero-downtime rotation: add the key, then sign with it, then drop the old one', () => {
    const before = new DownloadTokens(['old-secret'], 900);
    const phase1 = new DownloadTokens(['old-secret'], 900, { keyring: 'default,k1:new-secret-0123456789' });
    const phase2 = new DownloadTokens(['old-secret'], 900, { keyring: 'k1:new-secret-0123456789,default' });
    const phase3 = new DownloadTokens(['old-secret'], 900, { keyring: 'k1:new-secret-0123456789' });
    const oldToken = before.sign(id, 'report.html', now).token;
    const p1Token = phase1.sign(id, 'report.html', now).token;
    const p2Token = phase2.sign(id, 'report.html', now).token;
    expect(p1Token).toBe(oldToken); // phase 1 replicas still sign like the old ones
    for (const v of [before, phase1, phase2]) expect(v.verify(oldToken, id, 'report.html', now)).toBe(true);
    for (const v of [phase1, phase2, phase3]) expect(v.verify(p2Token, id, 'report.html', now)).toBe(true);
    expect(reasonOf(phase3.check(oldToken, id, 'report.html', now))).toBe('unknown_key');
    expect(reasonOf(before.check(p2Token, id, 'report.html', now))).toBe('unknown_key');
    expect(phase2.keyIds).toEqual({ signing: 'k1', accepted: ['default', 'k1'] });
  });

  it('a rotated-out key and a key of the same name with another secret both refuse', () => {
    const a = new DownloadTokens([], 900, { keyring: 'k1:aaaaaaaaaaaaaaaaaaaa' });
    const b = new DownloadTokens([], 900, { keyring: 'k1:bbbbbbbbbbbbbbbbbbbb' });
    const tok = a.sign(id, 'report.html', now).token;
    expect(reasonOf(b.check(tok, id, 'report.html', now))).toBe('bad_signature');
    expect(reasonOf(new DownloadTokens([], 900, { keyring: 'k2:bbbbbbbbbbbbbbbbbbbb' }).check(tok, id, 'report.html', now))).toBe('unknown_key');
  });

  it('keyring text is validated without echoing secrets', () => {
    expect(parseDownloadKeyring(' k1:0123456789abcdef , default ')).toEqual([{ kid: 'k1', secret: '0123456789abcdef' }, 'default']);
    expect(() => parseDownloadKeyring('k1:short')).toThrow(/at least 16/);
    expect(() => parseDownloadKeyring('nosecret')).toThrow(/key id/);
    expect(() => parseDownloadKeyring('9bad:0123456789abcdef')).toThrow(/key id/);
    expect(() => parseDownloadKeyring('k1:0123456789abcdef,k1:fedcba9876543210')).not.toThrow();
    expect(() => new DownloadTokens([], 900, { keyring: 'k1:0123456789abcdef,k1:fedcba9876543210' })).toThrow(/twice/);
    try {
      parseDownloadKeyring('k1:topsecret');
    } catch (e) {
      expect(String(e)).not.toContain('topsecret');
    }
  });
});
