import type { Db } from './connect.ts';
import type { FeedbackItemTable } from './schema.ts';
import type { Insertable } from 'kysely';

export async function insertFeedback(db: Db, item: Insertable<FeedbackItemTable>): Promise<void> {
  await db.insertInto('feedback_item').values(item).execute();
}
