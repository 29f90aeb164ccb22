/**
 * An opt-in cross-request cache of upstream pages (CACHE_TTL_MS). Keyed by sharedKey (a SHA-256
 * of credential, project and exact upstream request), so callers never see each other's pages
 * and the credential itself is never stored. Concurrent identical misses in this process share
 * one upstream call; failures are not cached.
 *
 * Two tiers: this process's memory, then, when replicas run together, a shared store (Redis,
 * src/redis/page-store.ts) where a page one replica fetched serves every other. A page taken
 * from the shared store expires from memory when it expires there.
 */
import type { TrainingJobPage } from '../domain.ts';
import type { UpstreamCall, UpstreamClient, UpstreamRequest } from './client.ts';
import { sharedKey } from './keys.ts';
import { spanTime } from '../tracing/api.ts';

/** Where a page was looked up. */
export type CacheStore = 'memory' | 'redis';

/** Pages shared between replicas. Never throws: an unreachable store is a miss. */
export interface SharedPageStore {
  /** The page and the epoch ms it expires at, or undefined. */
  get(key: string): Promise<{ page: TrainingJobPage; expires: number } | undefined>;
  /** Stores a page for ttlMs, in the background. */
  set(key: string, page: TrainingJobPage, ttlMs: number): void;
}

export interface PageCacheOptions {
  /** How long a page is served from the cache; 0 turns the cache off. */
  ttlMs: number;
  /** The most pages kept in memory (least recently used go first), default 1000. */
  maxEntries?: number;
  /** The second tier, shared with the other replicas; default none. */
  shared?: SharedPageStore | undefined;
  now?: () => number;
  /** Told of every lookup, by store (metrics). */
  onLookup?: ((store: CacheStore, hit: boolean) => void) | undefined;
}

// The operation span's event for a page served without a call (DESIGN.md "OpenTelemetry traces").
const MEMORY_HIT = { 'tjg.cache.store': 'memory' } as const;
const REDIS_HIT = { 'tjg.cache.store': 'redis' } as const;

interface Entry {
  page: Promise<TrainingJobPage>;
  /** Infinity while the call is in flight. */
  expires: number;
}

/** Wraps a client so that identical calls by the same credential share pages for ttlMs. */
export function withPageCache(
  client: UpstreamClient,
  projectId: string,
  { ttlMs, maxEntries = 1000, shared, now = Date.now, onLookup }: PageCacheOptions,
): UpstreamClient {
  const entries = new Map<string, Entry>();

  async function fetchPage(key: string, entry: Entry, request: UpstreamRequest, call: UpstreamCall): Promise<TrainingJobPage> {
    if (shared !== undefined) {
      const stored = await shared.get(key);
      onLookup?.('redis', stored !== undefined);
      if (stored !== undefined) {
        if (call.trace) call.trace.cached++;
        call.span?.addEvent('cache.hit', REDIS_HIT, spanTime());
        entry.expires = Math.min(stored.expires, now() + ttlMs);
        return stored.page;
      }
    }
    // A shared call must not die with the first caller who leaves: no client signal.
    const page = await client.send(request, { ...call, signal: undefined });
    entry.expires = now() + ttlMs;
    shared?.set(key, page, ttlMs);
    return page;
  }

  function send(request: UpstreamRequest, call: UpstreamCall): Promise<TrainingJobPage> {
    const key = sharedKey(call.token, projectId, request.key);
    const hit = entries.get(key);
    if (hit !== undefined && hit.expires > now()) {
      onLookup?.('memory', true);
      if (call.trace) call.trace.cached++;
      call.span?.addEvent('cache.hit', MEMORY_HIT, spanTime());
      entries.delete(key); // re-insert: a Map keeps insertion order, which makes it an LRU
      entries.set(key, hit);
      return hit.page;
    }
    onLookup?.('memory', false);
    const entry: Entry = { page: undefined as never, expires: Infinity };
    entry.page = fetchPage(key, entry, request, call);
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    entry.page.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return entry.page;
  }

  // Every call of a page, a group or the counts goes through the request's loader to `send`.
  return { ...client, send, close: () => client.close() };
}
