import { markSpan } from '@planexe/telemetry';
import { getStatusRows, toSnapshot, type Db } from '@planexe/db';
import type { ProgressBus, Unsubscribe } from '@planexe/infra';
import { toUpdate, type PlanUpdate } from './planEvents.ts';

/** A stream's side of a feed. Calls arrive in version order per plan; older or repeated versions are dropped. */
export interface FeedListener {
  onUpdate(u: PlanUpdate): void;
  /** The plan row is gone (seen by a poll). */
  onMissing(): void;
}

class PlanFeed {
  readonly listeners = new Set<FeedListener>();
  ready: Promise<void> = Promise.resolve();
  off?: Unsubscribe;
  subscribed = false;
  closed = false;
  /** The newest state seen, from the bus or the database. */
  latest?: PlanUpdate;
  /** Precise `timestamp_created` once read from the database (bus snapshots carry whole seconds). */
  createdAtMs?: number | null;
  loading?: Promise<PlanUpdate | null>;
}

export interface PlanFeedsOptions {
  /** While the bus is disconnected, every open plan is read from the database this often. */
  pollIntervalMs: number;
  /** Plans read per query when polling. Default 500. */
  batchSize?: number;
  onError?: (err: unknown) => void;
}

/**
 * One bus subscription per plan per process, shared by every stream of that plan (a fan-out map on top of
 * `bus.subscribeSnapshots`). While the bus is connected the database is read only when a stream opens (one
 * query, shared by streams opening together). While it is not, a single process-wide timer reads all open plans
 * in batched queries every poll interval; after it reconnects, two more polls catch what was published while the
 * subscriptions were being restored.
 */
export class PlanFeeds {
  private readonly feeds = new Map<string, PlanFeed>();
  private readonly timer: NodeJS.Timeout;
  private wasConnected: boolean;
  private catchUpPolls = 0;
  private polling = false;
  private closed = false;
  /** Database queries issued so far (connect loads and polls). */
  queries = 0;

  constructor(
    private readonly bus: ProgressBus,
    private readonly db: Db,
    private readonly opts: PlanFeedsOptions,
  ) {
    this.wasConnected = bus.isConnected();
    this.timer = setInterval(() => void this.tick(), opts.pollIntervalMs);
    this.timer.unref();
  }

  /**
   * Adds `listener` to the plan's feed and returns the plan's current state: read from the database after the
   * subscription is in place (so nothing published in between is lost), or the newer state the bus delivered
   * meanwhile. Null when the plan does not exist. Call `leave` when the stream ends.
   */
  async join(planId: string, listener: FeedListener): Promise<PlanUpdate | null> {
    if (this.closed) throw new Error('feeds closed');
    const f = this.feeds.get(planId) ?? this.open(planId);
    f.listeners.add(listener);
    await f.ready;
    const loaded = await this.load(planId, f);
    return f.latest && (!loaded || f.latest.version > loaded.version) ? f.latest : loaded;
  }

  leave(planId: string, listener: FeedListener): void {
    const f = this.feeds.get(planId);
    if (!f || !f.listeners.delete(listener) || f.listeners.size) return;
    this.feeds.delete(planId);
    this.drop(f);
  }

  stats(): { plans: number; listeners: number; subscriptions: number; queries: number; polling: boolean } {
    let listeners = 0;
    let subscriptions = 0;
    for (const f of this.feeds.values()) {
      listeners += f.listeners.size;
      if (f.subscribed) subscriptions++;
    }
    return { plans: this.feeds.size, listeners, subscriptions, queries: this.queries, polling: !this.bus.isConnected() };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const all = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(all.map((f) => this.drop(f)));
  }

  private open(planId: string): PlanFeed {
    const f = new PlanFeed();
    this.feeds.set(planId, f);
    f.ready = this.subscribe(planId, f);
    return f;
  }

  private async subscribe(planId: string, f: PlanFeed): Promise<void> {
    try {
      const off = await this.bus.subscribeSnapshots(planId, (s) => {
        // runs inside the publisher's trace context (NATS headers), so the plan's trace reaches its SSE clients
        markSpan('sse.deliver', { 'planexe.plan_id': planId, 'planexe.state': s.state, 'planexe.version': s.version });
        this.deliver(f, toUpdate(s, f.createdAtMs));
      });
      if (f.closed) return void (await off());
      f.off = off;
      f.subscribed = true;
    } catch (e) {
      // the poll timer covers this plan and subscribes again once the bus answers
      this.opts.onError?.(e);
    }
  }

  private drop(f: PlanFeed): Promise<void> {
    f.closed = true;
    return f.ready.then(() => f.off?.()).catch((e) => this.opts.onError?.(e));
  }

  /** Single flight: streams of one plan opening together share one query. */
  private load(planId: string, f: PlanFeed): Promise<PlanUpdate | null> {
    f.loading ??= this.read([planId])
      .then((found) => found.get(planId) ?? null)
      .finally(() => {
        f.loading = undefined;
      });
    return f.loading;
  }

  private async read(ids: string[]): Promise<Map<string, PlanUpdate>> {
    this.queries++;
    const rows = await getStatusRows(this.db, ids);
    const found = new Map<string, PlanUpdate>();
    for (const row of rows) {
      const createdAtMs = row.timestamp_created ? new Date(row.timestamp_created).getTime() : null;
      const f = this.feeds.get(row.id);
      if (f) f.createdAtMs = createdAtMs;
      found.set(row.id, toUpdate(toSnapshot(row), createdAtMs));
    }
    return found;
  }

  private deliver(f: PlanFeed, u: PlanUpdate): void {
    if (f.closed || (f.latest && u.version <= f.latest.version)) return;
    f.latest = u;
    for (const l of [...f.listeners]) l.onUpdate(u);
  }

  private async tick(): Promise<void> {
    const connected = this.bus.isConnected();
    if (connected && !this.wasConnected) this.catchUpPolls = 2;
    this.wasConnected = connected;
    if (this.polling || !this.feeds.size) return;
    const pollAll = !connected || this.catchUpPolls > 0;
    if (connected && this.catchUpPolls > 0) this.catchUpPolls--;
    const ids: string[] = [];
    for (const [id, f] of this.feeds) {
      if (!f.subscribed && connected && !f.closed) f.ready = f.ready.then(() => (f.subscribed || f.closed ? undefined : this.subscribe(id, f)));
      if (pollAll || !f.subscribed) ids.push(id);
    }
    if (!ids.length) return;
    this.polling = true;
    try {
      const size = this.opts.batchSize ?? 500;
      for (let i = 0; i < ids.length; i += size) {
        const chunk = ids.slice(i, i + size);
        const found = await this.read(chunk);
        for (const id of chunk) {
          const f = this.feeds.get(id);
          if (!f) continue;
          const u = found.get(id);
          if (u) this.deliver(f, u);
          else for (const l of [...f.listeners]) l.onMissing();
        }
      }
    } catch (e) {
      this.opts.onError?.(e);
    } finally {
      this.polling = false;
    }
  }
}
