/**
 * Lua for leased slots: one sorted set per group, member = holder, score = lease expiry (ms, Redis server clock so
 * replicas with skewed clocks agree). The key itself expires with its longest lease, so abandoned groups vanish.
 */

const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local function keepUntilLastLease()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
end
`;

/** KEYS: group set. ARGV: holder, cap, leaseMs. Returns 1 when the holder has (or already had) a slot. */
export const acquireSlotLua = `${prelude}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  keepUntilLastLease()
  return 1
end
return 0
`;

/** KEYS: group set. ARGV: holder, leaseMs. Extends a live lease; an expired or released one stays gone. */
export const renewSlotLua = `${prelude}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  keepUntilLastLease()
  return 1
end
return 0
`;

/** KEYS: group set. Returns the number of live leases. */
export const slotCountLua = `${prelude}
return redis.call('ZCARD', KEYS[1])
`;

/**
 * rate-limiter-flexible's increment, changed so that a consume that would go over the limit takes nothing
 * (the port's rule: refused requests use no budget) while still reporting "over" to the library, atomically.
 * KEYS: counter. ARGV: points, window seconds, limit, window seconds (the library's argument list).
 */
export const consumeIfRoomLua = `
redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX')
local pts = tonumber(ARGV[1])
local consumed = tonumber(redis.call('get', KEYS[1]))
if pts > 0 and consumed + pts > tonumber(ARGV[3]) then
  local ttl = redis.call('pttl', KEYS[1])
  if ttl < 0 then ttl = 1000 * tonumber(ARGV[2]) end
  return {consumed + pts, ttl}
end
consumed = redis.call('incrby', KEYS[1], pts)
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * tonumber(ARGV[2])
end
return {consumed, ttl}
`;
