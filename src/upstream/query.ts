import { createHash } from 'node:crypto';
import type { TrainingJobsQuery } from '../domain.ts';
import { WIRE_ORDERS, WIRE_SORT_FIELDS, type WireQuery } from './wire.ts';

/**
 * RFC 3986 percent-encoding: unreserved characters kept, everything else %XX upper-case.
 * encodeURIComponent leaves !'()* alone; AK/SK signing (UPSTREAM.md "Authentication")
 * needs them encoded, and the query we send must be byte for byte the one we sign.
 */
export function encodeRfc3986(value: string): string {
  const encoded = encodeURIComponent(value);
  return RFC3986_EXTRA.test(encoded) ? encoded.replace(RFC3986_EXTRA_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}
const RFC3986_EXTRA = /[!'()*]/;
const RFC3986_EXTRA_ALL = /[!'()*]/g;

/**
 * The upstream query for one call (DESIGN.md "The GraphQL contract"): page, per_page, sortBy,
 * order and workspace_id always (the documents disagree on the upstream's own defaults);
 * status and search_content only when given.
 */
export function toWireQuery(q: TrainingJobsQuery): WireQuery {
  const wire: WireQuery = {
    per_page: String(q.perPage),
    page: String(q.page),
    sortBy: WIRE_SORT_FIELDS[q.sortBy],
    order: WIRE_ORDERS[q.order],
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

/**
 * The one name of a page everything shared across requests uses: the page cache (in memory and
 * in Redis) and the live pollers. A SHA-256 of credential, project and exact upstream query, so
 * that no credential is ever kept or stored, and two credentials never meet.
 */
export function pageKey(token: string, projectId: string, query: TrainingJobsQuery): string {
  return createHash('sha256').update(`${token}\n${projectId}\n${buildQueryString(query)}`).digest('base64url');
}
