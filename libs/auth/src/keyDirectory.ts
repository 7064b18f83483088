import { listKeyHashesSince, type Db } from '@planexe/db';

/** Keys inserted by another writer (the web frontend) may commit a little after their created_at. */
const OVERLAP_MS = 60_000;

/**
 * Which key hashes exist, held in memory, for the failed-auth throttle: while an address is throttled, a key whose
 * hash is not here is refused without a database lookup, and one that is here is looked up as usual — so a valid
 * key is never refused. A miss refreshes the set first (incrementally, by created_at), one refresh at a time shared
 * by every waiting miss, so a flood of wrong keys costs the database one small query at a time, however fast it comes.
 */
export class KeyDirectory {
  private hashes = new Set<string>();
  private newest: Date | undefined;
  private loaded = false;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  /** True when `hash` belongs to a key that exists (or existed) as of a refresh started after this call. */
  async mayExist(hash: string): Promise<boolean> {
    if (this.loaded && this.hashes.has(hash)) return true;
    await this.refreshAfterNow();
    return this.hashes.has(hash);
  }

  /** Resolves once a refresh that started after this call has finished. */
  private refreshAfterNow(): Promise<void> {
    if (!this.inFlight) return (this.inFlight = this.refresh());
    // one is running, but it may have started before the key was created: wait for the next one (shared)
    this.queued ??= this.inFlight.then(() => {
      this.queued = undefined;
      return (this.inFlight = this.refresh());
    });
    return this.queued;
  }

  private async refresh(): Promise<void> {
    try {
      const since = this.loaded && this.newest ? new Date(this.newest.getTime() - OVERLAP_MS) : undefined;
      const rows = await listKeyHashesSince(this.db, since);
      for (const r of rows) {
        this.hashes.add(r.key_hash);
        const at = r.created_at instanceof Date ? r.created_at : new Date(r.created_at);
        if (!this.newest || at > this.newest) this.newest = at;
      }
      this.loaded = true;
    } finally {
      this.inFlight = undefined;
    }
  }
}
