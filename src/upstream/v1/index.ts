/**
 * ModelArts v1, `GET /v1/{project_id}/training-jobs` (UPSTREAM.md): a page is one call, a status
 * group one branch per code merged (fan-out.ts), the counts one call per code.
 */
import { STATUS_GROUPS, type SortField } from '../../domain.ts';
import type { UpstreamDialect } from '../dialect.ts';
import { countStatusesV1, pageForStatusesV1, plannedCallsV1 } from './fan-out.ts';
import { toTrainingJobPage } from './mapping.ts';
import { buildQueryString, v1Request } from './query.ts';
import { parseWireJson } from '../wire.ts';
import { WIRE_SORT_FIELDS } from './wire.ts';

export const v1: UpstreamDialect = {
  path: (projectId) => `/v1/${encodeURIComponent(projectId)}/training-jobs`,
  sortFields: new Set(Object.keys(WIRE_SORT_FIELDS) as SortField[]),
  // A group's name carries the group ahead of the query its branches share.
  pageKey: buildQueryString,
  page: (query, run) =>
    query.statusGroup === undefined ? run.fetch(v1Request(query), undefined) : pageForStatusesV1(query, STATUS_GROUPS[query.statusGroup], run),
  counts: countStatusesV1,
  plannedCalls: plannedCallsV1,
  // Ids are 64-bit: exact through lossless parsing where JSON.parse would round them.
  parse: parseWireJson,
  toPage: toTrainingJobPage,
};
