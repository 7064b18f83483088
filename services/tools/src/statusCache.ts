import type { PlanStatusView } from '@planexe/db';
import type { ProgressBus, Unsubscribe } from '@planexe/infra';

interface Entry {
  view?: PlanStatusView;
  at: number;
  /** Highest state version announced by an event since the subscription started. */
  latest: number;
  off?: Unsubscribe;
  ready: Promise<void>;
  /** The read in flight: concurrent misses (waits woken by one snapshot) share one query. */
  loading?: Promise<PlanStatusView | undefined>;
}

/**
 * A push-invalidated cache of plan status rows. On the first read of a plan the cache subscribes to the plan's
 * snapshot events (one bus subscription per plan per process), then reads the row; every event newer than the
 * cached row drops it. Writes made by this process invalidate directly. While the bus is disconnected the cache is
 * bypassed, and entries expire after `maxAgeMs` as a safety net for a lost event. This keeps heavy plan_status
 * polling off the database without serving stale state: the workers publish a snapshot after every write.
 */
export class StatusCache {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly bus: ProgressBus,
    private readonly opts: { maxEntries?: number; maxAgeMs?: number } = {},
  ) {}

  /** `minVersion`: the caller saw a snapshot of this version, so an older row (cached or read before it) will not do. */
  async get(planId: string, load: () => Promise<PlanStatusView | undefined>, minVersion = 0): Promise<PlanStatusView | undefined> {
    if (!this.bus.isConnected()) return load();
    let e = this.entries.get(planId);
    if (!e) {
      e = this.track(planId);
    } else {
      // LRU: move to the end
      this.entries.delete(planId);
      this.entries.set(planId, e);
    }
    await e.ready;
    e.latest = Math.max(e.latest, minVersion);
    if (e.view && Date.now() - e.at < (this.opts.maxAgeMs ?? 2_000) && Number(e.view.state_version) >= e.latest) return e.view;
    if (e.loading) {
      const shared = await e.loading;
      if (!shared || Number(shared.state_version) >= minVersion) return shared;
    }
    const entry = e;
    const loading = load().finally(() => {
      if (entry.loading === loading) entry.loading = undefined;
    });
    e.loading = loading;
    const view = await loading;
    if (view && Number(view.state_version) >= e.latest && this.entries.get(planId) === e) {
      e.view = view;
      e.at = Date.now();
    }
    return view;
  }

  /** Drops a plan's row (after a write made by this process). */
  invalidate(planId: string): void {
    const e = this.entries.get(planId);
    if (e) e.view = undefined;
  }

  private track(planId: string): Entry {
    const e: Entry = { at: 0, latest: 0, ready: Promise.resolve() };
    e.ready = this.bus
      .subscribeSnapshots(planId, (s) => {
        e.latest = Math.max(e.latest, s.version);
        if (e.view && Number(e.view.state_version) < s.version) e.view = undefined;
      })
      .then((off) => {
        e.off = off;
      })
      .catch(() => {
        this.entries.delete(planId);
      });
    this.entries.set(planId, e);
    const max = this.opts.maxEntries ?? 5_000;
    while (this.entries.size > max) {
      const [oldest, old] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      void old.ready.then(() => old.off?.());
    }
    return e;
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.ready.then(() => e.off?.()).catch(() => {})));
  }

  get size(): number {
    return this.entries.size;
  }
}
