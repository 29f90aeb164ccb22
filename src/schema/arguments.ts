/**
 * Argument checks that GraphQL types cannot express (UPSTREAM.md "Request" ranges), run before
 * credentials are looked at and before any upstream call.
 */
import type { CountsFilter, SortField, SortOrder, StatusGroup, TrainingJobsQuery } from '../domain.ts';
import { badUserInput } from '../errors.ts';

export interface TrainingJobsArgs {
  status?: number | null | undefined;
  statusGroup?: StatusGroup | null | undefined;
  page: number;
  perPage: number;
  sortBy?: SortField | null | undefined;
  order?: SortOrder | null | undefined;
  search?: string | null | undefined;
  workspaceId: string;
}

export const LIMITS = {
  page: [1, 65535],
  perPage: [1, 1000],
  searchLength: 64,
  workspaceIdLength: 64,
  /** page × perPage with a status group: the depth the merge reads from every branch. */
  groupDepth: 10_000,
} as const;

// A lone UTF-16 surrogate (possible in JSON variables) has no UTF-8 form: percent-encoding it
// throws, so it is refused here as an argument problem instead of failing later as a bug.
const LONE_SURROGATE = /\p{Cs}/u;

function range(name: string, value: number, [min, max]: readonly [number, number]): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(`${name} must be between ${min} and ${max} (got ${value}).`);
  }
  return value;
}

/** `sortFields`: what the upstream in use can sort by (UpstreamClient.sortFields); default all. */
export function toTrainingJobsQuery(args: TrainingJobsArgs, sortFields?: ReadonlySet<SortField>): TrainingJobsQuery {
  const page = range('page', args.page, LIMITS.page);
  // null is the same as omitted: the upstream's own order.
  const sortBy = args.sortBy ?? undefined;
  if (sortBy !== undefined && sortFields !== undefined && !sortFields.has(sortBy)) {
    const supported = [...sortFields].join(', ');
    throw badUserInput(`sortBy ${sortBy} is not supported by the training-jobs service in use: it sorts by ${supported} only.`);
  }
  const perPage = range('perPage', args.perPage, LIMITS.perPage);
  const statusGroup = args.statusGroup ?? undefined;
  if (statusGroup !== undefined) {
    // null is the same as omitted (DESIGN.md "Null arguments"): `status: null` is no clash.
    if (args.status !== null && args.status !== undefined) throw badUserInput('Give status or statusGroup, not both.');
    if (page * perPage > LIMITS.groupDepth) {
      throw badUserInput(`With statusGroup, page × perPage must be at most ${LIMITS.groupDepth} (got ${page * perPage}).`);
    }
  }
  const { search, workspaceId } = toCountsFilter(args);
  return {
    status: args.status ?? undefined,
    ...(statusGroup === undefined ? {} : { statusGroup }),
    page,
    perPage,
    sortBy,
    order: args.order ?? undefined,
    search,
    workspaceId,
  };
}

/** The arguments trainingJobCounts shares with trainingJobs, checked the same way. */
export function toCountsFilter(args: { search?: string | null | undefined; workspaceId: string }): CountsFilter {
  // DESIGN.md: counted in Unicode code points, sent as given (not trimmed); "" sends nothing.
  const search = args.search ?? '';
  const searchLength = [...search].length;
  if (searchLength > LIMITS.searchLength) {
    throw badUserInput(`search must be 0 to ${LIMITS.searchLength} characters long (got ${searchLength}).`);
  }
  if (LONE_SURROGATE.test(search)) throw badUserInput('search must be valid Unicode text.');
  const workspaceId = args.workspaceId;
  const workspaceIdLength = [...workspaceId].length;
  if (workspaceIdLength === 0 || workspaceIdLength > LIMITS.workspaceIdLength) {
    throw badUserInput(`workspaceId must be 1 to ${LIMITS.workspaceIdLength} characters long.`);
  }
  if (LONE_SURROGATE.test(workspaceId)) throw badUserInput('workspaceId must be valid Unicode text.');
  return { search: search === '' ? undefined : search, workspaceId };
}
