import DataLoader from 'dataloader';
import type { CountsFilter, StatusCounts, TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import { cancelledError } from './classify.ts';
import type { CallRoute, CallSignal, UpstreamCall, UpstreamClient, UpstreamRequest } from './client.ts';
import { createCallPool, type CallPool } from './pool.ts';
import { CallController } from './signal.ts';

export type TrainingJobsLoader = DataLoader<UpstreamRequest, TrainingJobPage, string>;

/** What a request (or a live poll) reads: pages, status groups' pages and counts. */
export interface TrainingJobsSource {
  /** A page, a status group's included, with the calls its upstream takes for it. */
  page(query: TrainingJobsQuery): Promise<TrainingJobPage>;
  counts(filter: CountsFilter): Promise<StatusCounts>;
}

const keyOf = (request: UpstreamRequest) => request.key;

/**
 * One loader per GraphQL request: identical calls (say two aliases with the same arguments,
 * spelled out or defaulted, or a group's branch and a plain page) share one upstream call,
 * keyed by the call's exact request; different calls run in parallel. It never outlives the
 * request, so it never mixes callers. A call that may stop early (a status group's branch, a
 * covering page) brings a signal of its own, so that a failing sibling or the field's deadline
 * can stop it at once.
 */
export function createTrainingJobsSource(client: UpstreamClient, call: UpstreamCall, { dedupe = true } = {}): TrainingJobsSource {
  // A live poll is one page or one fan-out, whose calls never repeat: no loader to go through.
  if (!dedupe) {
    // Raced as well: behind the page cache a call is not cancelled, and a branch must not wait for it.
    const fetch = (request: UpstreamRequest, signal: CallSignal | undefined) =>
      signal === undefined ? client.send(request, call) : raceAbort(client.send(request, { ...call, signal }), signal, () => {});
    const route = (): CallRoute => ({ fetch, pool: createCallPool(), signal: call.signal });
    return {
      page: (query) => client.page(query, route()),
      counts: (filter) => client.countStatuses(filter, route()),
    };
  }
  // A call a branch started is shared with whoever else asks for the same key, and ends early
  // only when all of them have stopped waiting: a branch aborted by a failing sibling (or by
  // its field's deadline) must not cancel a page another field still needs.
  const shared = new Map<string, { controller: CallController; waiters: number }>();
  // Keys a plain page asked for: it waits to the end, so its call is never ended early.
  const held = new Set<string>();
  const loader: TrainingJobsLoader = new DataLoader(
    (requests) =>
      Promise.all(
        requests.map((request) => {
          const signal = held.has(request.key) ? undefined : shared.get(request.key)?.controller.signal;
          return client.send(request, signal === undefined ? call : { ...call, signal }).catch((err: Error) => err);
        }),
      ),
    // Each call on its own: a batch settles only when its slowest call does, which would hold a
    // failed branch's error (and its siblings' abort) until every other branch had answered.
    { cacheKeyFn: keyOf, batch: false },
  );

  function plain(request: UpstreamRequest): Promise<TrainingJobPage> {
    held.add(request.key);
    const entry = shared.get(request.key);
    if (entry !== undefined) entry.waiters++;
    return loader.load(request);
  }

  /** A branch's page: it stops waiting when `waiter` aborts, and the call ends if nobody else waits. */
  function branch(request: UpstreamRequest, waiter: CallSignal): Promise<TrainingJobPage> {
    const { key } = request;
    let entry = shared.get(key);
    if (entry === undefined && !held.has(key)) {
      const created = { controller: new CallController(), waiters: 0 };
      shared.set(key, (entry = created));
      const onClientGone = () => created.controller.abort();
      if (call.signal?.aborted) onClientGone();
      call.signal?.addEventListener('abort', onClientGone, { once: true });
      const settled = () => {
        call.signal?.removeEventListener('abort', onClientGone);
        if (shared.get(key) === created) shared.delete(key);
        // A cancelled call is no answer: the next ask of the key calls again.
        if (created.controller.signal.aborted) loader.clear(request);
      };
      loader.load(request).then(settled, settled);
    }
    const page = loader.load(request);
    if (entry === undefined) return raceAbort(page, waiter, () => {});
    const counted = entry;
    counted.waiters++;
    return raceAbort(page, waiter, () => {
      if (--counted.waiters === 0) counted.controller.abort();
    });
  }

  const fetch = (request: UpstreamRequest, signal: CallSignal | undefined) => (signal === undefined ? plain(request) : branch(request, signal));
  // One pool per request: every field's fan-out shares its 8 calls in flight.
  let pool: CallPool | undefined;
  const route = (): CallRoute => ({ fetch, pool: (pool ??= createCallPool()), signal: call.signal });
  return {
    page: (query) => client.page(query, route()),
    counts: (filter) => client.countStatuses(filter, route()),
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
