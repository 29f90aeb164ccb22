/**
 * Argument checks that GraphQL types cannot express (UPSTREAM.md "Request" ranges), run before
 * credentials are looked at and before any upstream call.
 */
import type { SortField, SortOrder, TrainingJobsQuery } from '../domain.ts';
import { badUserInput } from '../errors.ts';

export interface TrainingJobsArgs {
  status?: number | null | undefined;
  page: number;
  perPage: number;
  sortBy: SortField;
  order: SortOrder;
  search?: string | null | undefined;
  workspaceId: string;
}

export const LIMITS = {
  page: [1, 65535],
  perPage: [1, 1000],
  searchLength: 64,
  workspaceIdLength: 64,
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

export function toTrainingJobsQuery(args: TrainingJobsArgs): TrainingJobsQuery {
  const page = range('page', args.page, LIMITS.page);
  const perPage = range('perPage', args.perPage, LIMITS.perPage);
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
  return {
    status: args.status ?? undefined,
    page,
    perPage,
    sortBy: args.sortBy,
    order: args.order,
    search: search === '' ? undefined : search,
    workspaceId,
  };
}
