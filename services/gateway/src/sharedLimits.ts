import { Redis } from 'ioredis';
import { RedisLimits, type ConsumeResult } from '@planexe/infra';
import { BudgetLeases, type Reservation } from './budgetLeases.ts';

/**
 * KEYS: the window's counter. ARGV: need, want, limit, windowMs. Takes between need and want points (never more
 * than a quarter of what is left beyond need, so replicas racing for the last points each get a few) when at least
 * need are left; returns {granted, used, ttlMs}. A fixed window, as rate-limiter-flexible's: the counter is created
 * with the window's expiry and only incremented until it expires.
 */
const reserveLua = `
local need = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  used = 0
  ttl = tonumber(ARGV[4])
end
local room = limit - used
if room < need then return {0, used, ttl} end
local grant = math.max(need, math.min(want, math.floor(room / 4)))
if used == 0 then
  redis.call('SET', KEYS[1], grant, 'PX', ttl)
else
  redis.call('INCRBY', KEYS[1], grant)
end
return {grant, used + grant, ttl}
`;

type LeaseClient = Redis & { plxReserve(key: string, need: number, want: number, limit: number, windowMs: number): Promise<[number, number, number]> };

const STARTING = new Set(['wait', 'connecting', 'connect']);

/** Resolves when the client is ready; rejects at once when it is down (not starting) or after `ms`. */
function untilReady(client: Redis, ms: number): Promise<void> {
  if (!STARTING.has(client.status)) return Promise.reject(new Error(`redis ${client.status}`));
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('redis connection ended'));
    const timer = setTimeout(() => done(new Error('redis not ready')), ms);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/**
 * The gateway's rate limits on Redis, shared by every replica of a deployment (`<prefix>:limits:`, the prefix the
 * stream service's caps use too), spent through local leases (budgetLeases.ts) so a request seldom waits on Redis.
 * While Redis is unreachable a reservation fails and the request falls to RedisLimits, whose in-memory insurance
 * limiter answers (budgets are then per replica, and `isDegraded()` says so). Slots are RedisLimits' unchanged.
 */
export class LeasedRedisLimits extends RedisLimits {
  readonly leases: BudgetLeases;

  constructor(client: Redis, keyPrefix: string, onError?: (err: Error) => void) {
    super({ connection: () => client, keyPrefix, onError });
    client.defineCommand('plxReserve', { numberOfKeys: 1, lua: reserveLua });
    const leaseClient = client as LeaseClient;
    this.leases = new BudgetLeases(async (key, need, want, limit, windowMs): Promise<Reservation> => {
      // a replica's first requests may come while its client is still connecting: wait for it briefly rather than
      // answer them from the per-replica fallback (which would let each replica spend a budget of its own)
      if (leaseClient.status !== 'ready') await untilReady(leaseClient, 2000);
      const [granted, used, ttlMs] = await leaseClient.plxReserve(`${keyPrefix}lease:${key}`, need, want, limit, windowMs);
      return { granted, used, ttlMs };
    });
  }

  override async consume(key: string, points: number, limit: number, windowSeconds: number): Promise<ConsumeResult> {
    try {
      return await this.leases.consume(key, points, limit, windowSeconds);
    } catch {
      return super.consume(key, points, limit, windowSeconds);
    }
  }
}

/**
 * The client fails fast while Redis is down (no offline queue, one retry), so the in-memory fallback answers at
 * once; auto-pipelining sends the reservations of concurrent keys in one write.
 */
export function createSharedLimits(o: { url: string; prefix: string; onError?: (err: Error) => void }): LeasedRedisLimits {
  const client = new Redis(o.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true });
  return new LeasedRedisLimits(client, `${o.prefix}:limits:`, o.onError);
}
