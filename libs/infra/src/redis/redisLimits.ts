import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ConsumeResult, Limits } from '../ports.ts';
import { MemoryLimits } from '../inProcess/memoryLimits.ts';
import { acquireSlotLua, consumeIfRoomLua, renewSlotLua, slotCountLua } from './slotScripts.ts';

export interface RedisLimitsOptions {
  /**
   * A Redis URL, or a factory for the ioredis client (owned: quit on close). A URL gets a client that fails fast
   * while Redis is down (no offline queue, one retry), so the in-memory fallback answers at once.
   */
  connection: string | (() => Redis);
  /** Prefix of every key; tests isolate with a random one. Default `planexe:limits:`. */
  keyPrefix?: string;
  /** Connection errors (they never throw out of the limits). Default: ignored. */
  onError?: (err: Error) => void;
}

/** In-memory insurance: a refused consume gives back what it took, as the Redis script never takes it. */
class RefundingMemoryLimiter extends RateLimiterMemory {
  constructor(opts: ConstructorParameters<typeof RateLimiterMemory>[0], private readonly onUse: () => void) {
    super(opts);
  }

  override async consume(key: string | number, points = 1, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse();
    try {
      return await super.consume(key, points, options);
    } catch (e) {
      if (e instanceof RateLimiterRes) await super.reward(key, points);
      throw e;
    }
  }
}

type SlotClient = Redis & {
  plxAcquireSlot(key: string, holder: string, cap: number, leaseMs: number): Promise<number>;
  plxRenewSlot(key: string, holder: string, leaseMs: number): Promise<number>;
  plxSlotCount(key: string): Promise<number>;
};

/**
 * Limits shared by every replica through Redis: rate limits with rate-limiter-flexible's RateLimiterRedis, slots as
 * one sorted set per group changed only by Lua scripts (atomic across processes). While Redis is unreachable both
 * keep working from memory (rate-limiter-flexible's insuranceLimiter; a MemoryLimits for slots), so budgets and
 * caps are then per process; `isDegraded()` says so.
 */
export class RedisLimits implements Limits {
  readonly keyPrefix: string;
  private readonly client: SlotClient;
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly fallbackSlots = new MemoryLimits();
  private lastFallbackAt = 0;
  /** Settles on the first connect, first error or after 3 s: until then answers wait instead of going to memory. */
  private readonly firstAttempt: Promise<void>;

  constructor(private readonly opts: RedisLimitsOptions) {
    this.keyPrefix = opts.keyPrefix ?? 'planexe:limits:';
    const client =
      typeof opts.connection === 'string'
        ? new Redis(opts.connection, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 })
        : opts.connection();
    client.on('error', (err: Error) => this.opts.onError?.(err));
    client.defineCommand('plxAcquireSlot', { numberOfKeys: 1, lua: acquireSlotLua });
    client.defineCommand('plxRenewSlot', { numberOfKeys: 1, lua: renewSlotLua });
    client.defineCommand('plxSlotCount', { numberOfKeys: 1, lua: slotCountLua });
    this.client = client as SlotClient;
    this.firstAttempt = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const ev of ['ready', 'error', 'end']) client.off(ev, done);
        resolve();
      };
      const timer = setTimeout(done, 3_000);
      timer.unref();
      if (client.status === 'ready') return done();
      for (const ev of ['ready', 'error', 'end']) client.once(ev, done);
      if (client.status === 'wait') client.connect().catch(() => {}); // lazyConnect clients
    });
  }

  /** True while Redis is not connected, or an answer came from memory in the last 5 s. */
  isDegraded(): boolean {
    return this.client.status !== 'ready' || Date.now() - this.lastFallbackAt < 5_000;
  }

  private readonly usedFallback = () => {
    this.lastFallbackAt = Date.now();
  };

  private limiter(limit: number, windowSeconds: number): RateLimiterRedis {
    const k = `${limit}/${windowSeconds}`;
    let l = this.limiters.get(k);
    if (!l) {
      const keyPrefix = `${this.keyPrefix}rl:${k}`;
      l = new RateLimiterRedis({
        storeClient: this.client,
        useRedisPackage: false, // ioredis
        rejectIfRedisNotReady: true, // go to the insurance limiter at once instead of queueing behind a reconnect
        customIncrTtlLuaScript: consumeIfRoomLua,
        keyPrefix,
        points: limit,
        duration: windowSeconds,
        insuranceLimiter: new RefundingMemoryLimiter({ points: limit, duration: windowSeconds, keyPrefix }, this.usedFallback),
      });
      this.limiters.set(k, l);
    }
    return l;
  }

  async consume(key: string, points: number, limit: number, windowSeconds: number): Promise<ConsumeResult> {
    await this.firstAttempt;
    try {
      const r = await this.limiter(limit, windowSeconds).consume(key, points);
      return { allowed: true, remaining: r.remainingPoints, resetMs: r.msBeforeNext };
    } catch (e) {
      if (e instanceof RateLimiterRes) return { allowed: false, remaining: 0, resetMs: Math.max(1, e.msBeforeNext) };
      throw e;
    }
  }

  private slotKey(group: string): string {
    return `${this.keyPrefix}slots:${group}`;
  }

  /** Runs `redis` when Redis is up, else (or when it fails to answer) `memory`. */
  private async either<T>(redis: () => Promise<T>, memory: () => Promise<T>): Promise<T> {
    await this.firstAttempt;
    if (this.client.status === 'ready') {
      try {
        return await redis();
      } catch (e) {
        if (this.client.status === 'ready' && !isConnectionError(e)) throw e;
      }
    }
    this.usedFallback();
    return memory();
  }

  acquireSlot(group: string, holder: string, cap: number, leaseMs: number): Promise<boolean> {
    return this.either(
      async () => (await this.client.plxAcquireSlot(this.slotKey(group), holder, cap, Math.max(1, Math.round(leaseMs)))) === 1,
      () => this.fallbackSlots.acquireSlot(group, holder, cap, leaseMs),
    );
  }

  async renewSlot(group: string, holder: string, leaseMs: number): Promise<void> {
    await this.fallbackSlots.renewSlot(group, holder, leaseMs);
    await this.either(
      async () => void (await this.client.plxRenewSlot(this.slotKey(group), holder, Math.max(1, Math.round(leaseMs)))),
      async () => {},
    );
  }

  async releaseSlot(group: string, holder: string): Promise<void> {
    // a slot may have been taken from memory during an outage: release it on both sides
    await this.fallbackSlots.releaseSlot(group, holder);
    await this.either(async () => void (await this.client.zrem(this.slotKey(group), holder)), async () => {});
  }

  slotCount(group: string): Promise<number> {
    return this.either(
      () => this.client.plxSlotCount(this.slotKey(group)),
      () => this.fallbackSlots.slotCount(group),
    );
  }

  async close(): Promise<void> {
    await this.fallbackSlots.close();
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through
      }
    }
    this.client.disconnect();
  }
}

function isConnectionError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /connection|closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|max retries|offline queue|not ready/i.test(msg);
}
