import { sql } from 'kysely';
import type { Db } from './connect.ts';

/** Advisory lock that elects the one process running a reconcile pass (any id distinct from the migration lock). */
const RECONCILE_LOCK_ID = 8462357422;

/** A plan the queue may have lost: pending, or processing under a worker that stopped sending heartbeats. */
export interface ReconcileCandidate {
  id: string;
  attempt: number;
  generation: number;
  state: 'pending' | 'processing';
}

export interface ReconcileScan {
  /** Every pending plan, and every processing plan whose heartbeat is older than the stale limit. */
  candidates: ReconcileCandidate[];
  /** Seconds since the oldest pending plan was created (0 when none). */
  oldestPendingSeconds: number;
}

/**
 * Runs `fn` only when this process wins the reconcile election (a transaction-scoped advisory lock, released when
 * the transaction ends, so a crashed holder never blocks the others). Returns undefined when another process holds
 * it. `elect: false` (one process, embedded database) runs `fn` directly.
 */
export async function asReconcileLeader<T>(db: Db, elect: boolean, fn: () => Promise<T>): Promise<T | undefined> {
  if (!elect) return fn();
  return db.transaction().execute(async (tx) => {
    const won = await sql<{ won: boolean }>`select pg_try_advisory_xact_lock(${RECONCILE_LOCK_ID}) as won`.execute(tx);
    return won.rows[0]?.won ? fn() : undefined;
  });
}

/**
 * The rows the reconciler looks at. A pending plan younger than `pendingGraceSeconds` is left to the enqueue of the
 * call that created it (an enqueue that timed out may still land; re-feeding it at once would only make a
 * duplicate job). A processing plan counts as abandoned only once its heartbeat is `staleSeconds`
 * old and the database itself has been up that long: after a Postgres restart every heartbeat looks old, and live
 * workers get one stale period to show life again before their plans are taken from them.
 */
export async function scanForReconcile(db: Db, staleSeconds: number, pendingGraceSeconds = 3): Promise<ReconcileScan> {
  const rows = await db
    .selectFrom('plans')
    .select(['id', 'attempt', 'takeover_generation', 'state', sql<number>`extract(epoch from (now() at time zone 'utc') - timestamp_created)`.as('age')])
    .where(sql<boolean>`coalesce(stop_requested, false) = false`)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb(sql`timestamp_created`, '<', sql`(now() at time zone 'utc') - make_interval(secs => ${pendingGraceSeconds})`)]),
        eb.and([
          eb('state', '=', 'processing'),
          eb(sql`coalesce(heartbeat_at, timestamp_created)`, '<', sql`(now() at time zone 'utc') - make_interval(secs => ${staleSeconds})`),
          eb(sql`pg_postmaster_start_time()`, '<', sql`now() - make_interval(secs => ${staleSeconds})`),
        ]),
      ]),
    )
    .orderBy('timestamp_created')
    .execute();
  let oldest = 0;
  for (const r of rows) if (r.state === 'pending') oldest = Math.max(oldest, Number(r.age));
  return {
    candidates: rows.map((r) => ({ id: r.id, attempt: r.attempt, generation: r.takeover_generation, state: r.state as 'pending' | 'processing' })),
    oldestPendingSeconds: oldest,
  };
}

/**
 * Takes the next takeover generation of a plan the reconciler is about to re-feed, conditional on what it saw (the
 * attempt and generation unchanged, still pending/processing). Returns the new generation, or undefined when the
 * plan moved on meanwhile (claimed, stopped, retried, re-fed by another pass).
 */
export async function bumpTakeoverGeneration(db: Db, c: ReconcileCandidate): Promise<number | undefined> {
  const r = await db
    .updateTable('plans')
    .set({ takeover_generation: sql`takeover_generation + 1` as any })
    .where('id', '=', c.id)
    .where('attempt', '=', c.attempt)
    .where('takeover_generation', '=', c.generation)
    .where('state', '=', c.state)
    .returning('takeover_generation')
    .executeTakeFirst();
  return r?.takeover_generation;
}
