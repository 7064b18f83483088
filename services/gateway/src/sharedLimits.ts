import { Redis } from 'ioredis';
import { RedisLimits } from '@planexe/infra';

/**
 * The gateway's rate limits on Redis, shared by every replica of a deployment (`<prefix>:limits:`, the prefix the
 * stream service's caps use too). The client fails fast while Redis is down (no offline queue, one retry), so the
 * in-memory fallback answers at once; auto-pipelining sends the limiter calls of concurrent requests in one write.
 */
export function createSharedLimits(o: { url: string; prefix: string; onError?: (err: Error) => void }): RedisLimits {
  return new RedisLimits({
    connection: () => new Redis(o.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true }),
    keyPrefix: `${o.prefix}:limits:`,
    onError: o.onError,
  });
}
