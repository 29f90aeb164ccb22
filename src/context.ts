/** Per-request state, created fresh for every GraphQL request (never shared between callers). */
import type { Logger } from 'pino';
import type { SortField, TrainingJobsQuery } from './domain.ts';
import { badUserInput, GatewayError, unauthenticated } from './errors.ts';
import type { LiveRegistry } from './live/registry.ts';
import type { LiveSource } from './live/stream.ts';
import { callerIdentity } from './upstream/auth.ts';
import type { CallSignal, PlannedField, UpstreamClient, UpstreamTrace } from './upstream/client.ts';
import { createTrainingJobsSource, type TrainingJobsSource } from './upstream/loaders.ts';
import type { RequestSpans } from './tracing/api.ts';

/**
 * What the paths through the gateway note of one request as they go: its log line and metrics
 * (src/server/telemetry.ts) are written from it when the response closes.
 */
export interface RequestTrace {
  readonly requestId: string;
  /** graphql: counted in the GraphQL metrics; probe: /health, /ready, /metrics, logged at debug. */
  kind: 'graphql' | 'probe' | 'other';
  /** The operation's name, '' when it has none; undefined until a document is parsed. */
  operation: string | undefined;
  /** The first error's extensions.code when the answer carries errors (OTHER if it has none). */
  errorCode: string | undefined;
  readonly upstream: UpstreamTrace;
  /** Its spans, when tracing is on and it is a GraphQL request (src/server/http/spans.ts). */
  spans: RequestSpans | undefined;
  /** The persisted operation id it was run by, when it was (for its operation span). */
  persistedId?: string | undefined;
  /** The client's address after TRUST_PROXY (server/http/client-address.ts), when known. */
  remote?: string | undefined;
}

export interface GatewayContext {
  requestId: string;
  log: Logger;
  /** Pages and counts for this request's caller; throws UNAUTHENTICATED when there is no credential. */
  trainingJobs(): TrainingJobsSource;
  /**
   * Holds the operation to MAX_UPSTREAM_CALLS (DESIGN.md "Cost"): `fields` lists what its fields
   * will ask of the upstream, read once, when the first field that calls it resolves and before
   * any call; over the budget, every such field fails with the same BAD_USER_INPUT.
   */
  checkBudget(fields: () => PlannedField[]): void;
  /** What the upstream in use can sort by. */
  sortFields: ReadonlySet<SortField>;
  /** The live stream of one page for this caller; throws UNAUTHENTICATED when there is no credential. */
  liveTrainingJobs(query: TrainingJobsQuery): LiveSource;
}

export interface ContextOptions {
  client: UpstreamClient;
  trace: RequestTrace;
  /** The token sent upstream; undefined when the caller has none (UNAUTHENTICATED). */
  token: string | undefined;
  log: Logger;
  /** Aborts upstream calls, and ends live streams, when the client goes away. */
  signal?: CallSignal | undefined;
  /** For subscriptions: the registry, and who the caller is (its own credential, or its address). */
  live?: { registry: LiveRegistry; credential: string | undefined; address: string | undefined } | undefined;
}

export function createContext({ client, trace, token, log, signal, live }: ContextOptions): GatewayContext {
  let source: TrainingJobsSource | undefined;
  let overBudget: GatewayError | null | undefined;
  const { requestId } = trace;
  return {
    requestId,
    log,
    sortFields: client.sortFields,
    trainingJobs() {
      if (token === undefined) throw unauthenticated();
      source ??= createTrainingJobsSource(client, { token, requestId, signal, trace: trace.upstream, span: trace.spans?.operation });
      return source;
    },
    checkBudget(fields) {
      if (overBudget === undefined) {
        const calls = fields().reduce((sum, field) => sum + client.plannedCalls(field), 0);
        const budget = client.maxCallsPerOperation;
        overBudget = calls > budget ? badUserInput(`This operation would make ${calls} upstream calls; the budget is ${budget} (MAX_UPSTREAM_CALLS).`) : null;
      }
      if (overBudget !== null) throw overBudget;
    },
    liveTrainingJobs(query) {
      if (token === undefined) throw unauthenticated();
      // Only the fast path builds a context without it, and it runs queries only.
      if (live === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'Subscriptions are not served here.');
      const identity = callerIdentity(live.credential, live.address);
      return live.registry.subscribe(query, { token, identity, signal });
    },
  };
}
