/**
 * ModelArts v1's answer to a status group and to the counts (DESIGN.md "Status groups and
 * counts"): v1 takes one status per call, so a group is one branch per code, each reading its
 * first page × perPage jobs, merged (merge.ts); the counts are one call per code and one
 * without. Every call goes through `fetch` (the request's loader: de-duplication, the page
 * cache, retries, the breaker) and the operation's pool. It knows nothing of HTTP.
 */
import type { CountsFilter, StatusCounts, TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import { STATUS_CODES, STATUS_GROUPS } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import { cancelledError, timeoutError } from './classify.ts';
import type { CallSignal } from './signal.ts';
import { mergePage, totalOf, type Branch } from './merge.ts';
import type { CallPool } from './pool.ts';

/** Reads one upstream page; `signal` aborts this call alone (the request's is linked to it). */
export type PageFetch = (query: TrainingJobsQuery, signal: CallSignal) => Promise<TrainingJobPage>;

/** What one field's upstream work runs with. */
export interface FieldRun {
  fetch: PageFetch;
  pool: CallPool;
  /** The request's signal: every call ends when the client leaves. */
  signal?: CallSignal | undefined;
}

/** The largest per_page the upstream takes, and so a branch's page size for a deep read. */
const MAX_PER_PAGE = 1000;

/** The upstream pages one branch reads at most for `page` of `perPage`. */
export function branchPages(page: number, perPage: number): number {
  const depth = page * perPage;
  return Math.ceil(depth / Math.min(MAX_PER_PAGE, depth));
}

/** DESIGN.md "Cost": the upstream calls one v1 field may make. */
export function plannedCallsV1(field: { kind: 'page'; query: TrainingJobsQuery } | { kind: 'counts' }): number {
  if (field.kind === 'counts') return STATUS_CODES.length + 1;
  const { statusGroup, page, perPage } = field.query;
  return statusGroup === undefined ? 1 : STATUS_GROUPS[statusGroup].length * branchPages(page, perPage);
}

/**
 * Runs `tasks` at once (the pool paces their calls) and returns every result in order, or
 * throws the lowest task's failure: when task i fails, the tasks after it are aborted and those
 * before it awaited, so the error a client sees does not depend on which answer came first.
 * The deadline covers the whole field (UPSTREAM_TIMEOUT_MS): whatever is unfinished then fails
 * as UPSTREAM_TIMEOUT.
 */
export async function settleInOrder<T>(tasks: ReadonlyArray<(signal: CallSignal) => Promise<T>>, signal: CallSignal | undefined, timeoutMs: number): Promise<T[]> {
  const controllers = tasks.map(() => new AbortController());
  const settled = tasks.map(() => false);
  const why: Array<'deadline' | 'client' | 'sibling' | undefined> = tasks.map(() => undefined);
  const abortFrom = (first: number, reason: 'deadline' | 'client' | 'sibling') => {
    for (let i = first; i < tasks.length; i++) {
      if (settled[i] || why[i] !== undefined) continue;
      why[i] = reason;
      controllers[i]!.abort();
    }
  };
  const onClientGone = () => abortFrom(0, 'client');
  if (signal?.aborted) onClientGone();
  signal?.addEventListener('abort', onClientGone, { once: true });
  const timer = setTimeout(abortFrom, timeoutMs, 0, 'deadline');
  const results: Array<{ value: T } | { error: unknown }> = [];
  try {
    await Promise.all(
      tasks.map((task, i) =>
        task(controllers[i]!.signal).then(
          (value) => {
            settled[i] = true;
            results[i] = { value };
          },
          (error: unknown) => {
            settled[i] = true;
            results[i] = { error };
            abortFrom(i + 1, 'sibling');
          },
        ),
      ),
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onClientGone);
  }
  const values: T[] = [];
  for (const [i, result] of results.entries()) {
    if ('value' in result) values.push(result.value);
    else throw why[i] === 'deadline' ? timeoutError() : result.error;
  }
  return values;
}

/** Reads one page in a slot of the pool, unless this call was aborted while it waited. */
function pooled(run: FieldRun, query: TrainingJobsQuery, signal: CallSignal): Promise<TrainingJobPage> {
  return run.pool.run(() => (signal.aborted ? Promise.reject(cancelledError()) : run.fetch(query, signal)));
}

/** One branch: its first page × perPage jobs, in upstream pages of up to 1000, none past its total. */
async function readBranch(run: FieldRun, query: TrainingJobsQuery, status: number, signal: CallSignal): Promise<Branch & { page: TrainingJobPage }> {
  const depth = query.page * query.perPage;
  const perPage = Math.min(MAX_PER_PAGE, depth);
  const branch: TrainingJobsQuery = { ...query, status, statusGroup: undefined, page: 1, perPage };
  const first = await pooled(run, branch, signal);
  const pages = Math.min(Math.ceil(depth / perPage), Math.ceil(first.totalCount / perPage));
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, k) => pooled(run, { ...branch, page: k + 2 }, signal)));
  return { jobs: [first, ...rest].flatMap((p) => p.jobs), totalCount: first.totalCount, page: first };
}

/** A page of every status in `codes` (ascending), merged in the query's order. */
export async function pageForStatusesV1(query: TrainingJobsQuery, codes: readonly number[], run: FieldRun, timeoutMs: number): Promise<TrainingJobPage> {
  const branches = await settleInOrder(
    codes.map((code) => (signal: CallSignal) => readBranch(run, query, code, signal)),
    run.signal,
    timeoutMs,
  );
  // The quota is the project's, the same in every branch: the first that carries it.
  const quota = (key: 'remainingJobs' | 'maxRunningJobs') => branches.find((b) => b.page[key] !== null)?.page[key] ?? null;
  return {
    jobs: mergePage(branches, query.sortBy, query.order, query.page, query.perPage),
    totalCount: totalOf(branches),
    remainingJobs: quota('remainingJobs'),
    maxRunningJobs: quota('maxRunningJobs'),
    page: query.page,
    perPage: query.perPage,
  };
}

/** One call per code 0..22 with per_page=1, then one without status for the total (24 in all). */
export async function countStatusesV1(filter: CountsFilter, run: FieldRun, timeoutMs: number): Promise<StatusCounts> {
  const base: TrainingJobsQuery = { status: undefined, page: 1, perPage: 1, sortBy: 'JOB_NAME', order: 'ASC', search: filter.search, workspaceId: filter.workspaceId };
  const totals = await settleInOrder(
    [...STATUS_CODES, undefined].map((status) => async (signal: CallSignal) => (await pooled(run, { ...base, status }, signal)).totalCount),
    run.signal,
    timeoutMs,
  );
  const total = totals.pop();
  if (total === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The counts came back incomplete.');
  return { total, byStatus: STATUS_CODES.map((statusCode, i) => ({ statusCode, count: totals[i]! })) };
}
