import type { ConsumeResult } from '@planexe/infra';

/** What the shared store answers to a reservation: points granted (0 = refused), the window's total taken, its end. */
export interface Reservation {
  granted: number;
  used: number;
  /** Milliseconds until the shared window ends (the store's clock). */
  ttlMs: number;
}

/**
 * Takes between `need` and `want` points of `key`'s shared budget of `limit` per window, or nothing when fewer than
 * `need` are left. The only call that costs a round trip.
 */
export type Reserve = (key: string, need: number, want: number, limit: number, windowMs: number) => Promise<Reservation>;

/**
 * The share of a budget one replica may hold unspent at a time. Points reserved but never spent are lost when the
 * window ends, so this bounds how far the replicas together fall short of the budget (two replicas: ≤ 4 %); it
 * never lets them exceed it, since every point is taken from the shared counter before it is spent.
 */
export const LEASE_SHARE = 0.02;

/** One key's local token bucket for the current shared window. */
interface Bucket {
  /** points reserved from the shared budget and not spent yet */
  tokens: number;
  /** what the shared budget had left at the last answer: it only shrinks within a window, so a request costing
   *  more than tokens + room is refused here without asking */
  room: number;
  windowEnd: number;
  inflight?: Promise<void>;
}

/**
 * Rate limits that spend a shared budget without a round trip per request: each key has a local bucket filled by
 * reserving points from the shared counter in batches (at most LEASE_SHARE of the limit), refilled in the
 * background when it runs low, and once the shared budget is spent, refusals are answered from memory until the
 * window ends. Small budgets (a batch of one) reserve per request, exactly as a plain shared limiter.
 * Written here because rate-limiter-flexible has no lease/batch strategy: its in-memory block only skips the round
 * trip of keys already over the limit, and its insurance limiter only answers while the store is down.
 */
export class BudgetLeases {
  private readonly buckets = new Map<string, Bucket>();
  private calls = 0;
  /** round trips made (a test and the bench read it) */
  reservations = 0;

  constructor(
    private readonly reserve: Reserve,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(key: string, cost: number, limit: number, windowSeconds: number): Promise<ConsumeResult> {
    const windowMs = windowSeconds * 1000;
    const batch = Math.max(1, Math.floor(limit * LEASE_SHARE));
    const id = `${limit}/${windowSeconds}:${key}`;
    if (++this.calls % 4096 === 0) this.sweep();
    let b = this.buckets.get(id);
    for (;;) {
      const now = this.now();
      if (!b || now >= b.windowEnd) {
        // a new window: nothing held, the whole budget possibly free
        b = { tokens: 0, room: limit, windowEnd: now + windowMs, inflight: b?.inflight };
        this.buckets.set(id, b);
      }
      if (b.tokens >= cost) {
        b.tokens -= cost;
        // refill before the bucket runs dry, so the next requests never wait (batches of one are not prefetched:
        // a small budget is spent exactly, request by request)
        if (batch > 1 && b.tokens < batch / 2 && !b.inflight && b.room > 0) void this.refill(id, b, 1, batch, limit, windowMs).catch(() => {});
        return this.answer(b, true, now);
      }
      if (cost > b.tokens + b.room) return this.answer(b, false, now);
      if (b.inflight) {
        await b.inflight;
        b = this.buckets.get(id);
        continue;
      }
      await this.refill(id, b, cost - b.tokens, Math.max(batch, cost - b.tokens), limit, windowMs);
    }
  }

  private answer(b: Bucket, allowed: boolean, now: number): ConsumeResult {
    const resetMs = Math.max(1, b.windowEnd - now);
    return { allowed, remaining: allowed ? b.tokens + b.room : 0, resetMs };
  }

  /** One reservation at a time per key; concurrent requests wait for it instead of starting their own. */
  private refill(id: string, b: Bucket, need: number, want: number, limit: number, windowMs: number): Promise<void> {
    this.reservations++;
    const p = this.reserve(id, need, want, limit, windowMs).then(
      (r) => {
        const now = this.now();
        const current = this.buckets.get(id);
        // the shared window rolled over while we asked: what was granted belongs to the new one
        const bucket = current && current !== b && now < current.windowEnd ? current : b;
        bucket.tokens += r.granted;
        bucket.room = Math.max(0, limit - r.used);
        bucket.windowEnd = now + Math.max(1, r.ttlMs);
        bucket.inflight = undefined;
        b.inflight = undefined;
      },
      (err) => {
        b.inflight = undefined;
        throw err;
      },
    );
    b.inflight = p.catch(() => {});
    return p;
  }

  /** Forgets keys whose window ended (their tokens expired with it). */
  private sweep(): void {
    const now = this.now();
    for (const [id, b] of this.buckets) if (now >= b.windowEnd && !b.inflight) this.buckets.delete(id);
  }
}
