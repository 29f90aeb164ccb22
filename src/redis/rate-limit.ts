/**
 * Fleet-wide rate limits (DESIGN.md "Scale-out"): each caller's token bucket lives in Redis
 * under `<prefix>rate:<caller identity>` and is updated by one script, atomically, on Redis's
 * clock (replicas' clocks may disagree), so the whole fleet admits RATE_LIMIT_PER_SECOND per
 * caller, not replicas x rate. While Redis is away each replica falls back to its own bucket.
 */
import type { Redis } from 'ioredis';
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from '../upstream/rate-limit.ts';
import { callerIdentity } from '../upstream/auth.ts';
import type { RedisLink } from './link.ts';

// The same bucket as rate-limit.ts: refilled at `rate` per second up to `burst`, one token per
// request; answers 0 (admitted) or the whole seconds to wait. The key expires once the bucket
// would be full again, so idle callers cost nothing.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

type WithTake = Redis & { takeToken(key: string, rate: number, burst: number): Promise<number> };

export function createSharedRateLimiter(link: RedisLink, options: RateLimitOptions): RateLimiter {
  const local = createRateLimiter(options);
  const { perSecond, burst } = options;
  if (perSecond <= 0) return local;
  link.commands.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE });
  return {
    take(credential, address) {
      if (!link.up) return local.take(credential, address);
      const key = link.key(`rate:${callerIdentity(credential, address)}`);
      return link
        .attempt((redis) => (redis as WithTake).takeToken(key, perSecond, burst))
        .then((wait) => (wait === undefined ? local.take(credential, address) : Number(wait)));
    },
  };
}
