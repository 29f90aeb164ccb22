/**
 * The page cache's shared tier in Redis: one string per page under
 * `<prefix>page:v1:<pageKey>`, the mapped page as JSON (ids are decimal strings, so 64-bit
 * values stay exact), expiring with CACHE_TTL_MS. The key is a hash and the value a page:
 * no credential is ever stored. A value that is not a page (another version, a corrupted write)
 * is a miss.
 */
import type { TrainingJobPage } from '../domain.ts';
import type { SharedPageStore } from '../upstream/cache.ts';
import type { RedisLink } from './link.ts';

/** Enough of a page's shape that a resolver never meets something else. */
function asPage(value: unknown): TrainingJobPage | undefined {
  const page = value as TrainingJobPage | null;
  return typeof page === 'object' && page !== null && Array.isArray(page.jobs) && Number.isInteger(page.totalCount) &&
    Number.isInteger(page.page) && Number.isInteger(page.perPage)
    ? page
    : undefined;
}

export function createRedisPageStore(link: RedisLink, now: () => number = Date.now): SharedPageStore {
  const key = (pageKey: string) => link.key(`page:v1:${pageKey}`);
  return {
    async get(pageKey) {
      const found = await link.attempt((redis) => Promise.all([redis.get(key(pageKey)), redis.pttl(key(pageKey))]));
      if (found === undefined) return undefined;
      const [text, ttl] = found;
      if (text === null || ttl <= 0) return undefined;
      let page: TrainingJobPage | undefined;
      try {
        page = asPage(JSON.parse(text));
      } catch {
        return undefined;
      }
      return page && { page, expires: now() + ttl };
    },
    set(pageKey, page, ttlMs) {
      void link.attempt((redis) => redis.set(key(pageKey), JSON.stringify(page), 'PX', ttlMs));
    },
  };
}
