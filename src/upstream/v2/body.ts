/**
 * v2's request (UPSTREAM.md "v2"): `POST /v2/{project_id}/training-job-searches` with a compact
 * JSON body, which is also the call's identity (DESIGN.md "Requests, identity and faults").
 */
import type { UpstreamRequest } from '../dialect.ts';

/** One v2 call's parameters, before they become its body. */
export interface SearchCall {
  offset: number;
  limit: number;
  order: 'asc' | 'desc';
  workspaceId: string;
  /** undefined: no phase filter. */
  phases: readonly string[] | undefined;
  /** undefined: no name filter. */
  search: string | undefined;
}

interface WireFilter {
  key: 'phase' | 'name';
  operator: 'in' | 'like';
  value: readonly string[];
}

/**
 * The exact body: `offset`, `limit`, `sort_by`, `order`, `workspace_id` always, in that order
 * (no documented default for `limit`, and the documents disagree on the others'), then
 * `filters` only when one is used, the phase filter before the name filter; JSON.stringify's
 * escaping, sent as UTF-8. The search text is sent as given: `%` and `_` are not escaped.
 */
export function searchBody(call: SearchCall): string {
  const filters: WireFilter[] = [];
  if (call.phases !== undefined) filters.push({ key: 'phase', operator: 'in', value: call.phases });
  if (call.search !== undefined) filters.push({ key: 'name', operator: 'like', value: [call.search] });
  return JSON.stringify({
    offset: call.offset,
    limit: call.limit,
    sort_by: 'create_time',
    order: call.order,
    workspace_id: call.workspaceId,
    ...(filters.length === 0 ? {} : { filters }),
  });
}

/** One v2 call; the page it reports is set by whoever assembles the GraphQL page. */
export function searchRequest(call: SearchCall, page: number, perPage: number): UpstreamRequest {
  const body = searchBody(call);
  return { key: body, method: 'POST', queryString: '', query: [], body, page, perPage };
}
