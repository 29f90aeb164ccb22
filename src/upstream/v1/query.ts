/**
 * ModelArts v1's request: GET with a query string (UPSTREAM.md "Request"), which is also the
 * call's identity.
 */
import type { SortField, SortOrder, TrainingJobsQuery } from '../../domain.ts';
import type { UpstreamRequest } from '../dialect.ts';
import { encodeRfc3986 } from '../signer.ts';
import { WIRE_ORDERS, WIRE_SORT_FIELDS, type WireQuery } from './wire.ts';

/** v1's own order when a query gives none: the seed's defaults, sent spelled out. */
export const SORT_DEFAULT: SortField = 'JOB_NAME';
export const ORDER_DEFAULT: SortOrder = 'ASC';

/**
 * The upstream query for one call (DESIGN.md "The GraphQL contract"): page, per_page, sortBy,
 * order and workspace_id always (the documents disagree on the upstream's own defaults);
 * status and search_content only when given.
 */
export function toWireQuery(q: TrainingJobsQuery): WireQuery {
  const wire: WireQuery = {
    per_page: String(q.perPage),
    page: String(q.page),
    sortBy: WIRE_SORT_FIELDS[q.sortBy ?? SORT_DEFAULT],
    order: WIRE_ORDERS[q.order ?? ORDER_DEFAULT],
    workspace_id: q.workspaceId,
  };
  if (q.status !== undefined) wire.status = String(q.status);
  if (q.search !== undefined) wire.search_content = q.search;
  return wire;
}

// The seed's example order, so logs read like the documentation.
const KEY_ORDER: readonly (keyof WireQuery)[] = [
  'status', 'per_page', 'page', 'sortBy', 'order', 'search_content', 'workspace_id',
];

// A request asks for the same query's string up to three times (de-duplication key, page key,
// the call itself); queries are never changed once built.
const queryStrings = new WeakMap<TrainingJobsQuery, string>();

/** The encoded query string, without '?'. Also the de-duplication key of a call. */
export function buildQueryString(q: TrainingJobsQuery): string {
  let built = queryStrings.get(q);
  if (built === undefined) queryStrings.set(q, (built = encodeQuery(q)));
  return built;
}

function encodeQuery(q: TrainingJobsQuery): string {
  const wire = toWireQuery(q);
  // A status group's query is never sent (its branches are): the group only keeps its keys apart.
  const parts: string[] = q.statusGroup === undefined ? [] : [`statusGroup=${q.statusGroup}`];
  for (const key of KEY_ORDER) {
    const value = wire[key];
    if (value !== undefined) parts.push(`${key}=${encodeRfc3986(value)}`);
  }
  return parts.join('&');
}

/** One v1 call; its query pairs, which only AK/SK signing reads, are built when asked for. */
class V1Request implements UpstreamRequest {
  readonly method = 'GET';
  readonly body = undefined;
  readonly key: string;
  readonly queryString: string;
  readonly page: number;
  readonly perPage: number;

  constructor(private readonly q: TrainingJobsQuery) {
    this.key = this.queryString = buildQueryString(q);
    this.page = q.page;
    this.perPage = q.perPage;
  }

  get query(): ReadonlyArray<readonly [string, string]> {
    const wire = toWireQuery(this.q);
    return KEY_ORDER.flatMap((key) => (wire[key] === undefined ? [] : [[key, wire[key]] as const]));
  }
}

/** The one call of a plain query (never a status group's, whose branches are sent instead). */
export const v1Request = (q: TrainingJobsQuery): UpstreamRequest => new V1Request(q);
