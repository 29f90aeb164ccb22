/**
 * What a replica shares with the others through Redis, built in one place and loaded only when
 * REDIS_URL is set (so that a single gateway never loads the Redis client).
 */
import type { Logger } from 'pino';
import type { RedisConfig } from '../config.ts';
import type { PageBus, PollerElection } from '../live/coordination.ts';
import type { RateLimiter, RateLimitOptions } from '../upstream/rate-limit.ts';
import type { SharedPageStore } from '../upstream/cache.ts';
import { createRedisLink, type RedisObserver } from './link.ts';
import { createRedisLive } from './live.ts';
import { createRedisPageStore } from './page-store.ts';
import { createSharedRateLimiter } from './rate-limit.ts';

export interface Fleet {
  pages: SharedPageStore;
  limiter: RateLimiter;
  election: PollerElection;
  bus: PageBus;
  close(): Promise<void>;
}

export interface FleetOptions {
  log: Logger;
  observe?: RedisObserver | undefined;
  rateLimit: RateLimitOptions;
  /** LIVE_POLL_MS. */
  pollMs: number;
}

export function joinFleet(config: RedisConfig, { log, observe, rateLimit, pollMs }: FleetOptions): Fleet {
  const link = createRedisLink(config, { log, observe });
  return {
    pages: createRedisPageStore(link),
    limiter: createSharedRateLimiter(link, rateLimit),
    ...createRedisLive(link, { pollMs, log }),
    close: () => link.close(),
  };
}
