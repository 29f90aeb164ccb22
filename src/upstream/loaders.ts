import DataLoader from 'dataloader';
import { STATUS_GROUPS, type CountsFilter, type StatusCounts, type TrainingJobPage, type TrainingJobsQuery } from '../domain.ts';
import { buildQueryString } from './query.ts';
import type { CallSignal, FieldRun, UpstreamCall, UpstreamClient } from './client.ts';
import { createCallPool, type CallPool } from './pool.ts';

export type TrainingJobsLoader = DataLoader<TrainingJobsQuery, TrainingJobPage, string>;

/** What a request (or a live poll) reads: pages, status groups' pages and counts. */
export interface TrainingJobsSource {
  /** One call, or a status group's branches merged (the upstream's pageForStatuses). */
  page(query: TrainingJobsQuery): Promise<TrainingJobPage>;
  counts(filter: CountsFilter): Promise<StatusCounts>;
}

/**
 * One loader per GraphQL request: identical calls (say two aliases with the same arguments,
 * spelled out or defaulted, or a group's branch and a plain page) share one upstream call,
 * keyed by the exact upstream query; different calls run in parallel. It never outlives the
 * request, so it never mixes callers. A status group's branch brings a signal of its own, so
 * that a failing sibling can abort it.
 */
export function createTrainingJobsSource(client: UpstreamClient, call: UpstreamCall, { dedupe = true } = {}): TrainingJobsSource {
  // A live poll is one page or one fan-out, whose calls never repeat: no loader to go through.
  if (!dedupe) {
    const direct = (query: TrainingJobsQuery, signal: CallSignal) => client.listTrainingJobs(query, { ...call, signal });
    return {
      page: (query) =>
        query.statusGroup === undefined
          ? client.listTrainingJobs(query, call)
          : client.pageForStatuses(query, STATUS_GROUPS[query.statusGroup], { fetch: direct, pool: createCallPool(), signal: call.signal }),
      counts: (filter) => client.countStatuses(filter, { fetch: direct, pool: createCallPool(), signal: call.signal }),
    };
  }
  const signals = new WeakMap<TrainingJobsQuery, CallSignal>();
  const loader: TrainingJobsLoader = new DataLoader(
    (queries) =>
      Promise.all(
        queries.map((q) => {
          const signal = signals.get(q);
          return client.listTrainingJobs(q, signal === undefined ? call : { ...call, signal }).catch((err: Error) => err);
        }),
      ),
    // Each call on its own: a batch settles only when its slowest call does, which would hold a
    // failed branch's error (and its siblings' abort) until every other branch had answered.
    { cacheKeyFn: buildQueryString, batch: false },
  );
  // One pool per request: every field's fan-out shares its 8 calls in flight.
  let pool: CallPool | undefined;
  const run = (): FieldRun => ({
    fetch: (query, signal) => {
      signals.set(query, signal);
      return loader.load(query);
    },
    pool: (pool ??= createCallPool()),
    signal: call.signal,
  });
  return {
    page: (query) => (query.statusGroup === undefined ? loader.load(query) : client.pageForStatuses(query, STATUS_GROUPS[query.statusGroup], run())),
    counts: (filter) => client.countStatuses(filter, run()),
  };
}
