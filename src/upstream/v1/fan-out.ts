/**
 * ModelArts v1's answer to a status group and to the counts (DESIGN.md "Status groups and
 * counts"): v1 takes one status per call, so a group is one branch per code, each reading its
 * first page × perPage jobs, merged (merge.ts); the counts are one call per code and one
 * without. Every call goes through `fetch` (the request's loader: de-duplication, the page
 * cache, retries, the breaker) and the operation's pool. It knows nothing of HTTP.
 */
import type { CountsFilter, StatusCounts, TrainingJobPage, TrainingJobsQuery } from '../../domain.ts';
import { STATUS_CODES, STATUS_GROUPS } from '../../domain.ts';
import { GatewayError } from '../../errors.ts';
import { pooled, settleInOrder } from '../calls.ts';
import type { FieldRun, PlannedField } from '../dialect.ts';
import type { CallSignal } from '../signal.ts';
import { mergePage, totalOf, type Branch } from './merge.ts';
import { ORDER_DEFAULT, SORT_DEFAULT, v1Request } from './query.ts';

/** The largest per_page the upstream takes, and so a branch's page size for a deep read. */
const MAX_PER_PAGE = 1000;

/** The upstream pages one branch reads at most for `page` of `perPage`. */
export function branchPages(page: number, perPage: number): number {
  const depth = page * perPage;
  return Math.ceil(depth / Math.min(MAX_PER_PAGE, depth));
}

/** DESIGN.md "Cost": the upstream calls one v1 field may make. */
export function plannedCallsV1(field: PlannedField): number {
  if (field.kind === 'counts') return STATUS_CODES.length + 1;
  const { statusGroup, page, perPage } = field.query;
  return statusGroup === undefined ? 1 : STATUS_GROUPS[statusGroup].length * branchPages(page, perPage);
}

/** One branch: its first page × perPage jobs, in upstream pages of up to 1000, none past its total. */
async function readBranch(run: FieldRun, query: TrainingJobsQuery, status: number, signal: CallSignal): Promise<Branch & { page: TrainingJobPage }> {
  const depth = query.page * query.perPage;
  const perPage = Math.min(MAX_PER_PAGE, depth);
  const branch: TrainingJobsQuery = { ...query, status, statusGroup: undefined, page: 1, perPage };
  const first = await pooled(run, v1Request(branch), signal);
  const pages = Math.min(Math.ceil(depth / perPage), Math.ceil(first.totalCount / perPage));
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, k) => pooled(run, v1Request({ ...branch, page: k + 2 }), signal)));
  return { jobs: [first, ...rest].flatMap((p) => p.jobs), totalCount: first.totalCount, page: first };
}

/** A page of every status in `codes` (ascending), merged in the query's order. */
export async function pageForStatusesV1(query: TrainingJobsQuery, codes: readonly number[], run: FieldRun): Promise<TrainingJobPage> {
  run.onFanOut?.(codes.length);
  const branches = await settleInOrder(
    codes.map((code) => (signal: CallSignal) => readBranch(run, query, code, signal)),
    run.signal,
    run.timeoutMs,
  );
  // The quota is the project's, the same in every branch: the first that carries it.
  const quota = (key: 'remainingJobs' | 'maxRunningJobs') => branches.find((b) => b.page[key] !== null)?.page[key] ?? null;
  return {
    jobs: mergePage(branches, query.sortBy ?? SORT_DEFAULT, query.order ?? ORDER_DEFAULT, query.page, query.perPage),
    totalCount: totalOf(branches),
    remainingJobs: quota('remainingJobs'),
    maxRunningJobs: quota('maxRunningJobs'),
    page: query.page,
    perPage: query.perPage,
  };
}

/** One call per code 0..22 with per_page=1, then one without status for the total (24 in all). */
export async function countStatusesV1(filter: CountsFilter, run: FieldRun): Promise<StatusCounts> {
  run.onFanOut?.(STATUS_CODES.length + 1);
  const base: TrainingJobsQuery = { status: undefined, page: 1, perPage: 1, search: filter.search, workspaceId: filter.workspaceId };
  const totals = await settleInOrder(
    [...STATUS_CODES, undefined].map((status) => async (signal: CallSignal) => (await pooled(run, v1Request({ ...base, status }), signal)).totalCount),
    run.signal,
    run.timeoutMs,
  );
  const total = totals.pop();
  if (total === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The counts came back incomplete.');
  return { total, byStatus: STATUS_CODES.map((statusCode, i) => ({ statusCode, count: totals[i]! })) };
}
