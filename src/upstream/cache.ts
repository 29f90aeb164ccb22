/**
 * An opt-in cross-request cache of upstream pages (CACHE_TTL_MS). Keyed by a hash of the
 * credential, the project and the exact upstream query, so callers never see each other's
 * pages and the credential itself is never stored. Concurrent identical misses share one
 * upstream call; failures are not cached.
 */
import { createHash } from 'node:crypto';
import type { TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import type { UpstreamCall, UpstreamClient } from './client.ts';
import { buildQueryString } from './query.ts';

export interface PageCacheOptions {
  /** How long a page is served from the cache; 0 turns the cache off. */
  ttlMs: number;
  /** The most pages kept (least recently used go first), default 1000. */
  maxEntries?: number;
  now?: () => number;
  /** Told of every lookup (metrics). */
  onLookup?: ((hit: boolean) => void) | undefined;
}

interface Entry {
  page: Promise<TrainingJobPage>;
  /** Infinity while the call is in flight. */
  expires: number;
}

/** Wraps a client so that identical calls by the same credential share pages for ttlMs. */
export function withPageCache(
  client: UpstreamClient,
  projectId: string,
  { ttlMs, maxEntries = 1000, now = Date.now, onLookup }: PageCacheOptions,
): UpstreamClient {
  const entries = new Map<string, Entry>();
  // Hashed on every call (about a microsecond) rather than memoised: a memo would keep the
  // credentials themselves in memory.
  const credentialHash = (token: string) => createHash('sha256').update(token).digest('base64url');

  function listTrainingJobs(query: TrainingJobsQuery, call: UpstreamCall): Promise<TrainingJobPage> {
    const key = `${credentialHash(call.token)} ${projectId} ${buildQueryString(query)}`;
    const hit = entries.get(key);
    if (hit !== undefined && hit.expires > now()) {
      onLookup?.(true);
      if (call.trace) call.trace.cached++;
      entries.delete(key); // re-insert: a Map keeps insertion order, which makes it an LRU
      entries.set(key, hit);
      return hit.page;
    }
    onLookup?.(false);
    // A shared call must not die with the first caller who leaves: no client signal.
    const entry: Entry = { page: client.listTrainingJobs(query, { ...call, signal: undefined }), expires: Infinity };
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    entry.page.then(
      () => {
        entry.expires = now() + ttlMs;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry.page;
  }

  return { listTrainingJobs, close: () => client.close() };
}
