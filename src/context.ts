/** Per-request state, created fresh for every GraphQL request (never shared between callers). */
import type { Logger } from 'pino';
import { unauthenticated } from './errors.ts';
import type { RequestTrace } from './server/telemetry.ts';
import type { UpstreamClient } from './upstream/client.ts';
import { createTrainingJobsLoader, type TrainingJobsLoader } from './upstream/loaders.ts';

export interface GatewayContext {
  requestId: string;
  log: Logger;
  /** The loader for this request's caller; throws UNAUTHENTICATED when there is no credential. */
  trainingJobs(): TrainingJobsLoader;
}

export function createContext(
  client: UpstreamClient,
  trace: RequestTrace,
  token: string | undefined,
  log: Logger,
  signal?: AbortSignal,
): GatewayContext {
  let loader: TrainingJobsLoader | undefined;
  const { requestId } = trace;
  return {
    requestId,
    log,
    trainingJobs() {
      if (token === undefined) throw unauthenticated();
      loader ??= createTrainingJobsLoader(client, { token, requestId, signal, trace: trace.upstream });
      return loader;
    },
  };
}
