import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type ArtifactFile = 'report.html' | 'run.zip';

/**
 * Signed, stateless, artifact-scoped download tokens (spec/artifacts.md §1): `<expiry>.<hex hmac-sha256>` over
 * `<plan_id>:<filename>:<expiry>`. Tokens are signed with the first secret and verified against every secret, so a
 * new secret can be put first while the previous one still verifies (rotation without downtime).
 */
export class DownloadTokens {
  private readonly secrets: Buffer[];
  readonly ephemeral: boolean;

  constructor(
    secrets: (string | undefined)[],
    readonly ttlSeconds: number,
  ) {
    const given = secrets.filter((s): s is string => !!s && s.length > 0).map((s) => Buffer.from(s, 'utf8'));
    this.ephemeral = given.length === 0;
    this.secrets = given.length ? given : [randomBytes(32)];
  }

  private mac(secret: Buffer, planId: string, file: string, expiry: number): string {
    return createHmac('sha256', secret).update(`${planId}:${file}:${expiry}`, 'utf8').digest('hex');
  }

  sign(planId: string, file: ArtifactFile, nowMs = Date.now()): { token: string; expiresAt: Date } {
    const expiry = Math.floor(nowMs / 1000) + this.ttlSeconds;
    return { token: `${expiry}.${this.mac(this.secrets[0], planId, file, expiry)}`, expiresAt: new Date(nowMs + this.ttlSeconds * 1000) };
  }

  verify(token: string | undefined | null, planId: string, file: string, nowMs = Date.now()): boolean {
    if (!token) return false;
    const dot = token.indexOf('.');
    if (dot <= 0) return false;
    const expText = token.slice(0, dot);
    const mac = token.slice(dot + 1);
    if (!/^\d+$/.test(expText) || !/^[0-9a-f]{64}$/.test(mac)) return false;
    const expiry = Number(expText);
    if (nowMs / 1000 > expiry) return false;
    const given = Buffer.from(mac, 'hex');
    let ok = false;
    for (const s of this.secrets) {
      const want = Buffer.from(this.mac(s, planId, file, expiry), 'hex');
      if (timingSafeEqual(want, given)) ok = true;
    }
    return ok;
  }
}
