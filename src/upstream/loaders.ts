import DataLoader from 'dataloader';
import { STATUS_GROUPS, type CountsFilter, type StatusCounts, type TrainingJobPage, type TrainingJobsQuery } from '../domain.ts';
import { cancelledError } from './classify.ts';
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
 * that a failing sibling or the field's deadline can stop it at once.
 */
export function createTrainingJobsSource(client: UpstreamClient, call: UpstreamCall, { dedupe = true } = {}): TrainingJobsSource {
  // A live poll is one page or one fan-out, whose calls never repeat: no loader to go through.
  if (!dedupe) {
    // Raced as well: behind the page cache a call is not cancelled, and a branch must not wait for it.
    const direct = (query: TrainingJobsQuery, signal: CallSignal) => raceAbort(client.listTrainingJobs(query, { ...call, signal }), signal, () => {});
    return {
      page: (query) =>
        query.statusGroup === undefined
          ? client.listTrainingJobs(query, call)
          : client.pageForStatuses(query, STATUS_GROUPS[query.statusGroup], { fetch: direct, pool: createCallPool(), signal: call.signal }),
      counts: (filter) => client.countStatuses(filter, { fetch: direct, pool: createCallPool(), signal: call.signal }),
    };
  }
  // A call a status group's branch started is shared with whoever else asks for the same key, and
  // ends early only when all of them have stopped waiting: a branch aborted by a failing sibling
  // (or by its field's deadline) must not cancel a page another field still needs.
  const shared = new Map<string, { controller: AbortController; waiters: number }>();
  // Keys a plain page asked for: it waits to the end, so its call is never ended early.
  const held = new Set<string>();
  const loader: TrainingJobsLoader = new DataLoader(
    (queries) =>
      Promise.all(
        queries.map((q) => {
          const key = buildQueryString(q);
          const signal = held.has(key) ? undefined : shared.get(key)?.controller.signal;
          return client.listTrainingJobs(q, signal === undefined ? call : { ...call, signal }).catch((err: Error) => err);
        }),
      ),
    // Each call on its own: a batch settles only when its slowest call does, which would hold a
    // failed branch's error (and its siblings' abort) until every other branch had answered.
    { cacheKeyFn: buildQueryString, batch: false },
  );

  function plain(query: TrainingJobsQuery): Promise<TrainingJobPage> {
    const key = buildQueryString(query);
    held.add(key);
    const entry = shared.get(key);
    if (entry !== undefined) entry.waiters++;
    return loader.load(query);
  }

  /** A branch's page: it stops waiting when `waiter` aborts, and the call ends if nobody else waits. */
  function branch(query: TrainingJobsQuery, waiter: CallSignal): Promise<TrainingJobPage> {
    const key = buildQueryString(query);
    let entry = shared.get(key);
    if (entry === undefined && !held.has(key)) {
      const created = { controller: new AbortController(), waiters: 0 };
      shared.set(key, (entry = created));
      const onClientGone = () => created.controller.abort();
      if (call.signal?.aborted) onClientGone();
      call.signal?.addEventListener('abort', onClientGone, { once: true });
      const settled = () => {
        call.signal?.removeEventListener('abort', onClientGone);
        if (shared.get(key) === created) shared.delete(key);
        // A cancelled call is no answer: the next ask of the key calls again.
        if (created.controller.signal.aborted) loader.clear(query);
      };
      loader.load(query).then(settled, settled);
    }
    const page = loader.load(query);
    if (entry === undefined) return raceAbort(page, waiter, () => {});
    const counted = entry;
    counted.waiters++;
    return raceAbort(page, waiter, () => {
      if (--counted.waiters === 0) counted.controller.abort();
    });
  }

  // One pool per request: every field's fan-out shares its 8 calls in flight.
  let pool: CallPool | undefined;
  const run = (): FieldRun => ({
    fetch: branch,
    pool: (pool ??= createCallPool()),
    signal: call.signal,
  });
  return {
    page: (query) => (query.statusGroup === undefined ? plain(query) : client.pageForStatuses(query, STATUS_GROUPS[query.statusGroup], run())),
    counts: (filter) => client.countStatuses(filter, run()),
  };
}

/** `page`, or a cancellation as soon as `signal` aborts (then `stop` runs once). */
function raceAbort(page: Promise<TrainingJobPage>, signal: CallSignal, stop: () => void): Promise<TrainingJobPage> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      stop();
      reject(cancelledError());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    page.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
