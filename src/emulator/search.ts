// Body validation for POST /v2/{project_id}/training-job-searches (UPSTREAM.md "v2",
// DESIGN.md "The emulator serves v2 too"). The first problem wins: JSON, then each field in
// the documented table's order, then the filters in the order given.

/** How `offset` is read (UPSTREAM.md "v2": the documents disagree): a page index or a record index. */
export type OffsetReading = 'page' | 'record';

export interface SearchQuery {
  offset: number;
  limit: number;
  order: 'asc' | 'desc';
  workspaceId: string;
  /** null = every phase */
  phases: ReadonlySet<string> | null;
  /** '' = no filter */
  name: string;
}

export type SearchResult = { ok: true; query: SearchQuery } | { ok: false; error: { code: string; message: string } };

const NOT_JSON = 'ModelArts.2787';
const BAD_PARAMETER = 'ModelArts.2788';
const BAD_FILTER_KEY = 'ModelArts.2789';
const BAD_SORT = 'ModelArts.2790';
const BAD_OPERATOR = 'ModelArts.2808';
const BAD_VALUE = 'ModelArts.2809';
const OVER_LIMIT = 'ModelArts.2816';
export const MAX_LIMIT = 50;
const MAX_NAME = 64;
/** The operators v2 documents, and those this emulator applies for each key it knows. */
const OPERATORS = new Set(['between', 'like', 'in', 'not']);
const APPLIED: Record<string, string> = { phase: 'in', name: 'like' };
const FILTER_KEYS = new Set(['phase', 'name']);

const invalid = (code: string, message: string): SearchResult => ({ ok: false, error: { code, message } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function parseSearch(text: string, workspaceExists: (id: string) => boolean): SearchResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return invalid(NOT_JSON, 'The request body is not valid JSON');
  }
  if (!isObject(body)) return invalid(NOT_JSON, 'The request body must be a JSON object');
  const offset = body.offset ?? 0;
  if (!isCount(offset) || offset < 0) return invalid(BAD_PARAMETER, 'Invalid parameter: offset must be an integer >= 0');
  const limit = body.limit ?? 10;
  if (!isCount(limit) || limit < 1) return invalid(BAD_PARAMETER, 'Invalid parameter: limit must be an integer >= 1');
  if (limit > MAX_LIMIT) return invalid(OVER_LIMIT, `limit exceeds the maximum of ${MAX_LIMIT}`);
  const sortBy = body.sort_by ?? 'create_time';
  if (sortBy !== 'create_time') return invalid(BAD_SORT, 'Unsupported sort_by, expected create_time');
  const order = body.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return invalid(BAD_PARAMETER, 'Invalid parameter: order must be asc or desc');
  const workspaceId = body.workspace_id ?? '0';
  if (typeof workspaceId !== 'string') return invalid(BAD_PARAMETER, 'Invalid parameter: workspace_id must be a string');
  // "0" is the default workspace (UPSTREAM.md "v2"), there even with no job in it.
  if (workspaceId !== '0' && !workspaceExists(workspaceId)) return invalid('ModelArts.0102', 'The workspace does not exist');
  let phases: Set<string> | null = null;
  let name = '';
  const filters = body.filters ?? [];
  if (!Array.isArray(filters)) return invalid(BAD_PARAMETER, 'Invalid parameter: filters must be an array');
  for (const filter of filters) {
    if (!isObject(filter)) return invalid(BAD_PARAMETER, 'Invalid parameter: a filter must be an object');
    const { key, operator, value } = filter;
    if (typeof key !== 'string' || !FILTER_KEYS.has(key)) return invalid(BAD_FILTER_KEY, 'Unsupported filter key');
    if (typeof operator !== 'string' || !OPERATORS.has(operator) || APPLIED[key] !== operator) {
      return invalid(BAD_OPERATOR, `Unsupported operator for ${key}`);
    }
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      return invalid(BAD_VALUE, `Invalid filter value for ${key}`);
    }
    if (key === 'phase') phases = new Set(value as string[]);
    else {
      if (value.length !== 1 || [...(value[0] as string)].length > MAX_NAME) return invalid(BAD_VALUE, 'Invalid filter value for name');
      name = value[0] as string;
    }
  }
  return { ok: true, query: { offset, limit, order, workspaceId, phases, name } };
}

/**
 * What a fault's `when` matches a v2 call by: the body's fields as strings (`offset`, `limit`,
 * `order`, `sort_by`, `workspace_id`) and each filter's values joined by commas (`phase`,
 * `name`). Nothing when the body is not a JSON object.
 */
export function searchParams(text: string | undefined): Array<[string, string]> {
  let body: unknown;
  try {
    body = JSON.parse(text ?? '');
  } catch {
    return [];
  }
  if (!isObject(body)) return [];
  const pairs: Array<[string, string]> = [];
  for (const key of ['offset', 'limit', 'order', 'sort_by', 'workspace_id']) {
    if (body[key] !== undefined) pairs.push([key, String(body[key])]);
  }
  for (const filter of Array.isArray(body.filters) ? body.filters : []) {
    if (isObject(filter) && typeof filter.key === 'string' && Array.isArray(filter.value)) pairs.push([filter.key, filter.value.join(',')]);
  }
  return pairs;
}
