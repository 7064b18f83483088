import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ConsumeResult, Limits } from '../ports.ts';

/** In-memory rate limits (rate-limiter-flexible) and leased connection slots for standalone mode. */
export class MemoryLimits implements Limits {
  private limiters = new Map<string, RateLimiterMemory>();
  private slots = new Map<string, Map<string, number>>();

  private limiter(limit: number, windowSeconds: number) {
    const k = `${limit}/${windowSeconds}`;
    let l = this.limiters.get(k);
    if (!l) {
      l = new RateLimiterMemory({ points: limit, duration: windowSeconds, keyPrefix: k });
      this.limiters.set(k, l);
    }
    return l;
  }

  async consume(key: string, points: number, limit: number, windowSeconds: number): Promise<ConsumeResult> {
    const l = this.limiter(limit, windowSeconds);
    try {
      const r = await l.consume(key, points);
      return { allowed: true, remaining: r.remainingPoints, resetMs: r.msBeforeNext };
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        // a refused request must not use up budget: give back what this attempt took
        await l.reward(key, points);
        return { allowed: false, remaining: 0, resetMs: e.msBeforeNext };
      }
      throw e;
    }
  }

  private live(group: string) {
    const g = this.slots.get(group) ?? new Map<string, number>();
    this.slots.set(group, g);
    const now = Date.now();
    for (const [h, exp] of g) if (exp <= now) g.delete(h);
    return g;
  }

  async acquireSlot(group: string, holder: string, cap: number, leaseMs: number): Promise<boolean> {
    const g = this.live(group);
    if (g.has(holder)) {
      g.set(holder, Date.now() + leaseMs);
      return true;
    }
    if (g.size >= cap) return false;
    g.set(holder, Date.now() + leaseMs);
    return true;
  }

  async renewSlot(group: string, holder: string, leaseMs: number): Promise<void> {
    const g = this.live(group);
    if (g.has(holder)) g.set(holder, Date.now() + leaseMs);
  }

  async releaseSlot(group: string, holder: string): Promise<void> {
    this.slots.get(group)?.delete(holder);
  }

  async slotCount(group: string): Promise<number> {
    return this.live(group).size;
  }

  async close(): Promise<void> {
    this.slots.clear();
  }
}
