/**
 * ModelArts v2, `POST /v2/{project_id}/training-job-searches` (UPSTREAM.md "v2", DESIGN.md
 * "The ModelArts v2 upstream"). v2 takes a set of phases in one filter, so a status group is
 * one call; it serves at most 50 jobs a call, so a page beyond 50 is read from the 50-job
 * pages that cover it, sliced.
 */
import { STATUS_CODES, type CountsFilter, type StatusCounts, type TrainingJobPage, type TrainingJobsQuery } from '../../domain.ts';
import { pooled, settleInOrder } from '../calls.ts';
import type { FieldRun, PlannedField, UpstreamDialect, UpstreamRequest } from '../dialect.ts';
import type { CallSignal } from '../signal.ts';
import { searchBody, searchRequest, type SearchCall } from './body.ts';
import { toSearchPage } from './mapping.ts';
import { phaseFilter, phasesOf, PROJECTED_CODES } from './phases.ts';

/** The most jobs one v2 call returns (UPSTREAM.md "v2": `limit` 1..50). */
export const MAX_LIMIT = 50;

/**
 * How `offset` is read (UPSTREAM.md "v2": the documents disagree): `page`, a 0-based index of
 * `limit`-sized pages (today's documents, both SDKs); `record`, the index of the first job.
 */
export type OffsetReading = 'page' | 'record';

/** The calls that read jobs `first .. first + count - 1`, and where the page starts in what they return. */
interface Cover {
  calls: Array<{ offset: number; limit: number; firstJob: number }>;
  /** Jobs to skip in the first call's answer. */
  skip: number;
}

function cover(query: TrainingJobsQuery, reading: OffsetReading): Cover {
  const first = (query.page - 1) * query.perPage;
  if (query.perPage <= MAX_LIMIT) {
    return { calls: [{ offset: reading === 'page' ? query.page - 1 : first, limit: query.perPage, firstJob: first }], skip: 0 };
  }
  if (reading === 'record') {
    const calls = [];
    for (let at = 0; at < query.perPage; at += MAX_LIMIT) calls.push({ offset: first + at, limit: Math.min(MAX_LIMIT, query.perPage - at), firstJob: first + at });
    return { calls, skip: 0 };
  }
  const last = first + query.perPage - 1;
  const calls = [];
  for (let k = Math.floor(first / MAX_LIMIT); k <= Math.floor(last / MAX_LIMIT); k++) calls.push({ offset: k, limit: MAX_LIMIT, firstJob: k * MAX_LIMIT });
  return { calls, skip: first % MAX_LIMIT };
}

const emptyPage = (query: TrainingJobsQuery): TrainingJobPage => ({
  jobs: [],
  totalCount: 0,
  remainingJobs: null,
  maxRunningJobs: null,
  page: query.page,
  perPage: query.perPage,
});

export function createV2(reading: OffsetReading = 'page'): UpstreamDialect {
  const orderOf = (query: TrainingJobsQuery) => (query.order === 'ASC' ? 'asc' : 'desc');
  const call = (query: TrainingJobsQuery, phases: readonly string[] | undefined, offset: number, limit: number): SearchCall => ({
    offset,
    limit,
    order: orderOf(query),
    workspaceId: query.workspaceId,
    phases,
    search: query.search,
  });

  async function page(query: TrainingJobsQuery, run: FieldRun): Promise<TrainingJobPage> {
    const phases = phaseFilter(query);
    // No known phase is in this status or group: nothing to ask (DESIGN.md "Status on v2").
    if (phases?.length === 0) return emptyPage(query);
    const { calls, skip } = cover(query, reading);
    const request = (c: Cover['calls'][number]): UpstreamRequest => searchRequest(call(query, phases, c.offset, c.limit), query.page, query.perPage);
    if (calls.length === 1) return run.fetch(request(calls[0]!), undefined);
    run.onFanOut?.(calls.length);
    // The first call says how many jobs match: no call is made for a page past the last job.
    const started = Date.now();
    const [head] = await settleInOrder([(signal: CallSignal) => pooled(run, request(calls[0]!), signal)], run.signal, run.timeoutMs);
    const rest = calls.slice(1).filter((c) => c.firstJob < head!.totalCount);
    const tail = await settleInOrder(
      rest.map((c) => (signal: CallSignal) => pooled(run, request(c), signal)),
      run.signal,
      Math.max(0, run.timeoutMs - (Date.now() - started)),
    );
    const jobs = [head!, ...tail].flatMap((p) => p.jobs).slice(skip, skip + query.perPage);
    // When the calls disagree, the count of the one with the lowest offset.
    return { ...head!, jobs, page: query.page, perPage: query.perPage };
  }

  async function counts(filter: CountsFilter, run: FieldRun): Promise<StatusCounts> {
    const base = { status: undefined, page: 1, perPage: 1, search: filter.search, workspaceId: filter.workspaceId };
    run.onFanOut?.(PROJECTED_CODES.length + 1);
    const phaseSets = [...PROJECTED_CODES.map((code) => phasesOf([code])), undefined];
    const totals = await settleInOrder(
      phaseSets.map((phases) => async (signal: CallSignal) => (await pooled(run, searchRequest(call(base, phases, 0, 1), 1, 1), signal)).totalCount),
      run.signal,
      run.timeoutMs,
    );
    const total = totals.pop()!;
    const byCode = new Map(PROJECTED_CODES.map((code, i) => [code, totals[i]!]));
    return { total, byStatus: STATUS_CODES.map((statusCode) => ({ statusCode, count: byCode.get(statusCode) ?? 0 })) };
  }

  function plannedCalls(field: PlannedField): number {
    if (field.kind === 'counts') return PROJECTED_CODES.length + 1;
    return phaseFilter(field.query)?.length === 0 ? 0 : cover(field.query, reading).calls.length;
  }

  return {
    path: (projectId) => `/v2/${encodeURIComponent(projectId)}/training-job-searches`,
    sortFields: new Set(['CREATE_TIME']),
    // The page's name is the body one call would send if v2 had no 50-job limit: for a page of
    // up to 50 jobs, exactly the body sent. A status no phase reaches names an empty phase list.
    pageKey: (query) => {
      const phases = phaseFilter(query);
      const offset = reading === 'page' ? query.page - 1 : (query.page - 1) * query.perPage;
      return searchBody(call(query, phases, offset, query.perPage));
    },
    page,
    counts,
    plannedCalls,
    // Every number v2 sends that the gateway reads is far below 2^53 (ids are strings): a number
    // beyond it can only be a malformed page, which the mapping refuses, so JSON.parse is exact
    // enough, and skips the scan for large numbers a lossless read needs (UUIDs set it off).
    parse: JSON.parse,
    toPage: toSearchPage,
  };
}
