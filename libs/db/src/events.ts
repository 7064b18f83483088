import type { Db } from './connect.ts';
import type { EventsTable } from './schema.ts';

/** Appends an audit event. Events are write-only. */
export async function insertEvent(db: Db, type: EventsTable['event_type'], message: string, context: Record<string, unknown>): Promise<void> {
  await db.insertInto('events').values({ event_type: type, message, context: JSON.stringify(context) }).execute();
}
