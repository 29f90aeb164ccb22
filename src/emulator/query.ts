// Query-string validation for GET /v1/{project_id}/training-jobs (UPSTREAM.md "Request").
// The first invalid parameter wins, checked in the seed's table order.

export const SORT_KEYS = ['job_name', 'job_desc', 'status', 'duration', 'version_count', 'create_time'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListQuery {
  /** null = every status */
  status: number | null;
  perPage: number;
  page: number;
  sortBy: SortKey;
  order: 'asc' | 'desc';
  /** '' = no filter */
  search: string;
  workspaceId: string;
}

export interface QueryError {
  code: string;
  message: string;
}

export type QueryResult = { ok: true; query: ListQuery } | { ok: false; error: QueryError };

const BAD_PARAMETER = 'ModelArts.2764';
const BAD_SORT = 'ModelArts.2790';
const NO_WORKSPACE = 'ModelArts.0102';
const MAX_SEARCH = 64;
// Plain decimal only: Number() would also accept '1.5', '1e3', ' 1', '+1' and '' (as 0).
const DECIMAL = /^[0-9]+$/;

function invalid(code: string, message: string): QueryResult {
  return { ok: false, error: { code, message } };
}

function badParameter(detail: string): QueryResult {
  return invalid(BAD_PARAMETER, `Invalid query parameter: ${detail}`);
}

/** URLSearchParams decodes leniently; the real server rejects what it cannot decode, so do we. */
function wellEncoded(rawQuery: string): boolean {
  for (const part of rawQuery.split('&')) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      return false;
    }
  }
  return true;
}

function integerIn(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!DECIMAL.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

function isSortKey(value: string): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value);
}

/**
 * Parses the raw query string (without '?'). A repeated key counts once, first value first;
 * unknown keys are ignored. `workspaceExists` decides workspace ids other than the default "0".
 */
export function parseListQuery(rawQuery: string, workspaceExists: (id: string) => boolean): QueryResult {
  if (!wellEncoded(rawQuery)) return badParameter('malformed percent-encoding');
  const params = new URLSearchParams(rawQuery);

  const rawStatus = params.get('status');
  if (rawStatus !== null && !DECIMAL.test(rawStatus)) return badParameter('status must be a non-negative integer');
  const status = rawStatus === null ? null : Number(rawStatus);

  const perPage = integerIn(params.get('per_page'), 10, 1, 1000);
  if (perPage === undefined) return badParameter('per_page must be an integer between 1 and 1000');

  const page = integerIn(params.get('page'), 1, 1, 65535);
  if (page === undefined) return badParameter('page must be an integer between 1 and 65535');

  const sortBy = params.get('sortBy') ?? 'job_name';
  if (!isSortKey(sortBy)) return invalid(BAD_SORT, `Unsupported sortBy, expected one of ${SORT_KEYS.join(', ')}`);

  const order = params.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') return badParameter('order must be asc or desc');

  const search = params.get('search_content') ?? '';
  // The seed says "characters": count code points, so one emoji is one, not two UTF-16 units.
  let codePoints = 0;
  for (const _ of search) if (++codePoints > MAX_SEARCH) return badParameter('search_content must be at most 64 characters');

  const workspaceId = params.get('workspace_id') ?? '0';
  if (workspaceId !== '0' && !workspaceExists(workspaceId)) return invalid(NO_WORKSPACE, 'workspace does not exist');

  return { ok: true, query: { status, perPage, page, sortBy, order, search, workspaceId } };
}
