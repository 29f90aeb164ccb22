/**
 * The seam between the gateway and one ModelArts list API (DESIGN.md "The ModelArts v2
 * upstream"). An upstream builds each call's request, maps its answer, and answers a page, a
 * page for a set of statuses and the counts with the calls it needs; the client (client.ts)
 * sends those calls over HTTP, and everything above sees neither. v1 (v1/) and v2 (v2/) are its
 * two implementations, as undici keeps its dispatchers behind one interface.
 */
import type { CountsFilter, SortField, StatusCounts, TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import type { CallPool } from './pool.ts';
import type { CallSignal } from './signal.ts';

/** One upstream call as its upstream built it: the layers above know it by `key` alone. */
export interface UpstreamRequest {
  /**
   * The call's exact identity: v1's query string, v2's JSON body. De-duplication, the page
   * cache and Redis key on it; the emulator logs it.
   */
  readonly key: string;
  readonly method: 'GET' | 'POST';
  /** The query string as sent, without '?' ('' when none). */
  readonly queryString: string;
  /** The same query as pairs, for signing. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** The exact bytes sent (UTF-8), when the call has a body. */
  readonly body: string | undefined;
  /** What the mapped answer reports as its page and perPage. */
  readonly page: number;
  readonly perPage: number;
}

/**
 * Makes one upstream call through the request's loader (de-duplication, the page cache,
 * retries, the breaker). `signal` undefined: the page waits for it to the end, as a plain page
 * does; a signal of its own: the call may stop early (a failed sibling, the field's deadline).
 */
export type PageFetch = (request: UpstreamRequest, signal: CallSignal | undefined) => Promise<TrainingJobPage>;

/** What one field's upstream work runs with. */
export interface FieldRun {
  fetch: PageFetch;
  /** The operation's calls in flight, 8 at most. */
  pool: CallPool;
  /** The request's signal: every call ends when the client leaves. */
  signal?: CallSignal | undefined;
  /** UPSTREAM_TIMEOUT_MS: the deadline of a field's calls together. */
  timeoutMs: number;
  /** Told how many calls a field fans out into (metrics). */
  onFanOut?: ((branches: number) => void) | undefined;
}

/** A field of an operation, as the budget sees it. */
export type PlannedField = { kind: 'page'; query: TrainingJobsQuery } | { kind: 'counts' };

/** One ModelArts list API. */
export interface UpstreamDialect {
  /** The list call's path below the endpoint's, the project id not yet encoded. */
  path(projectId: string): string;
  /** The sort fields it can order by; any other is refused before a call. */
  readonly sortFields: ReadonlySet<SortField>;
  /** A whole page's exact name on this upstream, whatever calls it takes: live pollers key on it. */
  pageKey(query: TrainingJobsQuery): string;
  /** A page: one call, or those it takes (v1's status group, v2's pages beyond 50 jobs), through `run`. */
  page(query: TrainingJobsQuery, run: FieldRun): Promise<TrainingJobPage>;
  /** How many jobs each status holds, and all of them, for one search and workspace. */
  counts(filter: CountsFilter, run: FieldRun): Promise<StatusCounts>;
  /** The upstream calls a field makes at most (DESIGN.md "Cost"). */
  plannedCalls(field: PlannedField): number;
  /** Parses any answer's text (SyntaxError when it is not JSON). */
  parse(text: string): unknown;
  /** A 2xx body -> the call's page; MalformedBodyError for anything undocumented. */
  toPage(body: unknown, request: UpstreamRequest): TrainingJobPage;
}
