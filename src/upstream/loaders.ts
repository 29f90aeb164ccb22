import DataLoader from 'dataloader';
import type { TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import { buildQueryString } from './query.ts';
import type { UpstreamCall, UpstreamClient } from './client.ts';

export type TrainingJobsLoader = DataLoader<TrainingJobsQuery, TrainingJobPage, string>;

/**
 * One loader per GraphQL request: identical calls (say two aliases with the same arguments,
 * spelled out or defaulted) share one upstream call, keyed by the exact upstream query;
 * different calls run in parallel. It never outlives the request, so it never mixes callers.
 */
export function createTrainingJobsLoader(client: UpstreamClient, call: UpstreamCall): TrainingJobsLoader {
  return new DataLoader(
    (queries) =>
      Promise.all(
        queries.map((q) => client.listTrainingJobs(q, call).catch((err: Error) => err)),
      ),
    { cacheKeyFn: buildQueryString },
  );
}
