/**
 * Rate limiting per caller, which keeps one caller from spending the upstream's quota for all: a
 * token bucket per key, where the key is a hash of the caller's credential (auth.ts), or the
 * client address when it sent none. The HTTP and WebSocket fronts take a token per request; it
 * sits here, below them, because src/redis/ implements the same interface. This is the process's own; with Redis
 * the buckets are the fleet's (src/redis/rate-limit.ts), and this one stands in while Redis is
 * away. Buckets idle long enough to be full again are dropped.
 */
import { callerIdentity } from './auth.ts';

export interface RateLimitOptions {
  /** Requests per second refilled into each caller's bucket; 0 turns limiting off. */
  perSecond: number;
  /** Bucket size: the burst a caller may send at once. */
  burst: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimiter {
  /**
   * 0 when the request may proceed, else the seconds to wait before the next one will: at once
   * from the process's own buckets, as a promise from a shared store.
   */
  take(credential: string | undefined, address: string | undefined): number | Promise<number>;
}

export function createRateLimiter({ perSecond, burst, now = Date.now }: RateLimitOptions): RateLimiter & { take(credential: string | undefined, address: string | undefined): number } {
  const buckets = new Map<string, Bucket>();
  const fullAfterMs = (burst / perSecond) * 1000;
  let lastSweep = now();

  function sweep(t: number) {
    if (t - lastSweep < fullAfterMs) return;
    lastSweep = t;
    for (const [key, bucket] of buckets) if (t - bucket.at >= fullAfterMs) buckets.delete(key);
  }

  return {
    take(credential, address) {
      if (perSecond <= 0) return 0;
      const key = callerIdentity(credential, address);
      const t = now();
      sweep(t);
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}
