import { insertApiKey, type Db, type UserApiKey } from '@planexe/db';
import { generateApiKey, hashApiKey } from './apiKeys.ts';

/** Creates a user key; the plaintext is returned once and only its hash is stored. */
export async function issueApiKey(db: Db, userId: string, secret: string | undefined, label?: string): Promise<{ key: string; row: UserApiKey }> {
  const { key, prefix } = generateApiKey();
  const row = await insertApiKey(db, { userId, keyHash: hashApiKey(key, secret), keyPrefix: prefix, label });
  return { key, row };
}
