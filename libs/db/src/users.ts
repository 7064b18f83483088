import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Db } from './connect.ts';
import type { UserAccount, UserApiKey } from './schema.ts';

/** An unrevoked key with this hash whose user exists; marks the key used. */
export async function findActiveKeyByHash(db: Db, keyHash: string): Promise<{ key: UserApiKey; user: UserAccount } | null> {
  const key = await db
    .selectFrom('user_api_key')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!key) return null;
  const user = await db.selectFrom('user_account').selectAll().where('id', '=', key.user_id).executeTakeFirst();
  if (!user) return null;
  await db.updateTable('user_api_key').set({ last_used_at: sql`now() at time zone 'utc'` as any }).where('id', '=', key.id).execute();
  return { key, user };
}

export async function getUser(db: Db, userId: string): Promise<UserAccount | undefined> {
  return db.selectFrom('user_account').selectAll().where('id', '=', userId).executeTakeFirst();
}

export async function findUserByEmail(db: Db, email: string): Promise<UserAccount | undefined> {
  return db.selectFrom('user_account').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function createUser(db: Db, u: { email?: string; name?: string; isAdmin?: boolean; credits?: number }): Promise<UserAccount> {
  return db
    .insertInto('user_account')
    .values({
      id: randomUUID(),
      email: u.email ?? null,
      name: u.name ?? null,
      is_admin: u.isAdmin ?? false,
      credits_balance: u.credits ?? 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertApiKey(
  db: Db,
  k: { userId: string; keyHash: string; keyPrefix: string; label?: string },
): Promise<UserApiKey> {
  return db
    .insertInto('user_api_key')
    .values({ id: randomUUID(), user_id: k.userId, key_hash: k.keyHash, key_prefix: k.keyPrefix, label: k.label ?? null, key_plaintext: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Db, userId: string): Promise<UserApiKey[]> {
  return db.selectFrom('user_api_key').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

export async function revokeApiKey(db: Db, keyIdOrPrefix: string): Promise<number> {
  const r = await db
    .updateTable('user_api_key')
    .set({ revoked_at: sql`now() at time zone 'utc'` as any })
    .where((eb) => eb.or([eb('key_prefix', '=', keyIdOrPrefix), eb(sql<string>`id::text`, '=', keyIdOrPrefix)]))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Adds credits (negative to remove) with a ledger row, in one transaction. Returns the new balance. */
export async function grantCredits(db: Db, userId: string, delta: number, reason = 'admin_grant'): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('user_account')
      .set({ credits_balance: sql`credits_balance + ${delta}` as any, updated_at: sql`now() at time zone 'utc'` as any })
      .where('id', '=', userId)
      .returning('credits_balance')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('credit_history')
      .values({ id: randomUUID(), user_id: userId, delta, reason, source: 'admin', external_id: null, api_key_id: null })
      .execute();
    return String(r.credits_balance);
  });
}

/**
 * Hashes of keys created at or after `since` (all unrevoked keys when `since` is undefined), for the auth
 * throttle's directory of existing keys. Revoked keys in the answer are harmless there: it only decides whether a
 * lookup is worth making.
 */
export async function listKeyHashesSince(db: Db, since: Date | undefined): Promise<{ key_hash: string; created_at: Date }[]> {
  let q = db.selectFrom('user_api_key').select(['key_hash', 'created_at']);
  q = since ? q.where('created_at', '>=', since) : q.where('revoked_at', 'is', null);
  return q.execute();
}
