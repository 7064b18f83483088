import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUserKey } from '@planexe/auth';
import { createPgliteDb } from '@planexe/db';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { runAdmin } from '../src/cli/admin.ts';

const hasPg = await postgresAvailable();

describe('admin CLI', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void> = async () => {};
  let openDb: () => Promise<{ db: any; close: () => Promise<void> }>;
  beforeAll(async () => {
    if (hasPg) {
      const h = await createTestPostgresDb();
      env = { SQLALCHEMY_DATABASE_URI: h.url, PLANEXE_API_KEY_SECRET: 'cli-secret' };
      openDb = async () => ({ db: h.db, close: async () => {} });
      cleanup = h.close;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'planexe-cli-'));
      env = { PLANEXE_DATA_DIR: dir, PLANEXE_API_KEY_SECRET: 'cli-secret' };
      openDb = () => createPgliteDb(dir);
    }
  });
  afterAll(() => cleanup());

  const run = async (...args: string[]) => {
    const out: string[] = [];
    const code = await runAdmin(args, env, (s) => out.push(s));
    return { code, out: out.join('\n') };
  };

  it('creates a user and a key shown once that then authenticates; revoking it stops it', async () => {
    const u = await run('admin', 'user', 'create', '--email', 'cli@example.com', '--credits', '3');
    expect(u.code).toBe(0);
    const user = JSON.parse(u.out);
    const k = JSON.parse((await run('admin', 'key', 'create', '--user', 'cli@example.com', '--label', 'laptop')).out);
    expect(k.key).toMatch(/^pex_/);
    const h = await openDb();
    expect((await resolveUserKey(h.db, k.key, 'cli-secret'))?.userId).toBe(user.id);
    const stored = await h.db.selectFrom('user_api_key').selectAll().where('id', '=', k.key_id).executeTakeFirstOrThrow();
    expect(stored.key_plaintext).toBeNull();
    expect(stored.key_hash).not.toContain(k.key);
    await h.close();
    expect((await run('admin', 'key', 'revoke', k.key_id)).code).toBe(0);
    const h2 = await openDb();
    expect(await resolveUserKey(h2.db, k.key, 'cli-secret')).toBeNull();
    await h2.close();
    const g = JSON.parse((await run('admin', 'credits', 'grant', '--user', user.id, '--amount', '2.5')).out);
    expect(Number(g.credits_balance)).toBe(5.5);
    const show = JSON.parse((await run('admin', 'user', 'show', '--user', 'cli@example.com')).out);
    expect(show.keys[0]).toMatchObject({ label: 'laptop', revoked: true });
  });

  it('bad input gives a non-zero exit and a message, not a stack trace', async () => {
    expect((await run('admin', 'credits', 'grant', '--user', 'nobody@example.com', '--amount', '1')).code).toBe(1);
    expect((await run('admin', 'credits', 'grant', '--user', 'cli@example.com', '--amount', 'lots')).code).toBe(1);
    expect((await run('admin', 'nonsense')).code).toBe(2);
  });
});
