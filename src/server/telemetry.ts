/**
 * What the people who run the gateway see of each request: one JSON log line when its response
 * closes, and Prometheus metrics (GET /metrics). The paths through the gateway fill in the
 * request's RequestTrace (operation, first error code, upstream calls) as they go.
 *
 * Label values are bounded. Operation names are chosen by clients, so only the first
 * MAX_OPERATIONS distinct names (up to 64 characters) get series of their own and the rest count
 * as `other`; outcomes are codes the gateway itself writes, or `HTTP_<status>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LiveObserver } from '../live/registry.ts';
import type { RedisObserver } from '../redis/link.ts';
import type { CacheStore } from '../upstream/cache.ts';
import type { RequestTrace } from '../context.ts';
import type { CallOutcome } from '../upstream/client.ts';
import { logIds } from '../tracing/api.ts';
import { endServer } from './http/spans.ts';

export interface Telemetry {
  readonly registry: Registry;
  /** A trace for a new request; its log line and metrics follow when the response closes. */
  begin(req: IncomingMessage, res: ServerResponse, requestId: string): RequestTrace;
  /**
   * A trace for a GraphQL operation that is no HTTP request of its own (one over a WebSocket):
   * its log line and metrics follow end(), with `aborted` when the client left first.
   */
  beginOperation(requestId: string, method: string, path: string): { trace: RequestTrace; end(aborted: boolean): void };
  /** For the upstream client's `observe` option. */
  upstreamCall(outcome: CallOutcome): void;
  /** For the upstream client's `observeFanOut` option: the branches of a status group page or of the counts. */
  fanOut(branches: number): void;
  /** For the page cache's `onLookup` option. */
  cacheLookup(store: CacheStore, hit: boolean): void;
  /** For the Redis link's `observe` option (src/redis/link.ts). */
  readonly redis: RedisObserver;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /** For the live registry's `observe` option. */
  readonly live: LiveObserver;
  /** For the tracer's `onDrop` option: spans lost before reaching the collector. */
  spansDropped(count: number): void;
}

export interface TelemetryOptions {
  log: Logger;
  /** Register the cache metrics (only when CACHE_TTL_MS is set). */
  cache?: boolean;
  /** Register the Redis metrics (only when REDIS_URL is set). */
  redis?: boolean;
  /** Register the tracing metrics (only when an OTLP endpoint is set). */
  tracing?: boolean;
}

const MAX_OPERATIONS = 100;
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CODE = /^[A-Z][A-Z0-9_]{0,39}$/;

export function createTelemetry({ log, cache = false, redis = false, tracing = false }: TelemetryOptions): Telemetry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: 'GraphQL requests answered, by operation name and outcome (ok, an error code, HTTP_<status> or CANCELLED).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'Time from the request arriving to the answer sent, by operation name.',
    labelNames: ['operation'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  let inFlightCount = 0;
  // Read when scraped rather than set on every request: one less metric update per request.
  new Gauge({
    name: 'gateway_http_requests_in_flight',
    help: 'HTTP requests received and not yet answered.',
    registers: [registry],
    collect() {
      this.set(inFlightCount);
    },
  });
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_calls_total',
    help: 'Calls to the ModelArts API, by outcome (ok, a DESIGN.md error code, or CANCELLED when the client left).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const fanOutBranches = new Histogram({
    name: 'gateway_upstream_fanout_branches',
    help: 'Calls per field that fans out over the upstream: on v1 the codes of a status group page, or 24 for trainingJobCounts; on v2 the 50-job pages of a page beyond 50 jobs, or 8 for trainingJobCounts.',
    // v1's groups (2, 3, 4, 9) and counts (24); v2's counts (8) and covering pages (up to 21).
    buckets: [1, 2, 3, 4, 8, 9, 21, 24],
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'gateway_upstream_call_duration_seconds',
    help: 'Time of one call to the ModelArts API, retries and backoff included, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Attempts beyond the first made by calls to the ModelArts API.',
    registers: [registry],
  });
  const liveSubscriptions = new Gauge({
    name: 'gateway_live_subscriptions',
    help: 'Open subscriptions (streams over SSE and WebSocket).',
    registers: [registry],
  });
  const livePollers = new Gauge({
    name: 'gateway_live_pollers',
    help: 'Poll loops running in this process: one per distinct page watched.',
    registers: [registry],
  });
  // Counted per event and subscriber, ten thousand at a time: a plain sum, added when scraped.
  let unscrapedEvents = 0;
  new Counter({
    name: 'gateway_live_events_total',
    help: 'Events written to subscribers: pages, and errors that end a stream; not the pages a slow reader skipped (it gets the latest).',
    registers: [registry],
    collect() {
      if (unscrapedEvents > 0) this.inc(unscrapedEvents);
      unscrapedEvents = 0;
    },
  });
  const lookups = cache
    ? new Counter({
        name: 'gateway_cache_lookups_total',
        help: 'Page cache lookups, by store (memory, then redis when replicas share one) and result (hit or miss).',
        labelNames: ['store', 'result'] as const,
        registers: [registry],
      })
    : undefined;
  const redisUp = redis
    ? new Gauge({ name: 'gateway_redis_up', help: '1 while Redis is connected and answering in time, else 0 (the gateway then serves alone).', registers: [registry] })
    : undefined;
  const redisErrors = redis
    ? new Counter({ name: 'gateway_redis_errors_total', help: 'Redis commands that failed or timed out, and failed connection attempts.', registers: [registry] })
    : undefined;
  redisUp?.set(0);
  const spansDropped = tracing
    ? new Counter({
        name: 'gateway_trace_spans_dropped_total',
        help: 'Spans lost before reaching the collector: to a full export queue, a failed or timed-out export, or shutdown.',
        registers: [registry],
      })
    : undefined;

  // The request line is built only from fields set here (method, path, status, counters,
  // codes): no key a credential could sit under. Redaction walks every line for its paths,
  // which cost a third of the line's price under load, so this logger does without it.
  const requestLog = log.child({}, { redact: [] });
  // Each labelled series is looked up once and kept: prom-client hashes the label object on
  // every update otherwise, a measurable share of a small request's cost. The label values are
  // bounded (see above), so these maps are too.
  const series = <T>(make: (key: string) => T) => {
    const made = new Map<string, T>();
    return (key: string): T => {
      let found = made.get(key);
      if (found === undefined) made.set(key, (found = make(key)));
      return found;
    };
  };
  const requestCount = series((key) => {
    const [operation, outcome] = key.split('\n') as [string, string];
    return requests.labels({ operation, outcome });
  });
  const requestTime = series((operation) => requestSeconds.labels({ operation }));
  const upstreamCount = series((outcome) => upstreamCalls.labels({ outcome }));
  const upstreamTime = series((outcome) => upstreamSeconds.labels({ outcome }));
  const operations = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (name === undefined) return 'none';
    if (name === '') return 'anonymous';
    if (operations.has(name)) return name;
    if (operations.size >= MAX_OPERATIONS || name.length > 64) return 'other';
    operations.add(name);
    return name;
  };

  /** How a request ended, for its log line and metrics. */
  interface Ending {
    method: string | undefined;
    url: string | undefined;
    status: number;
    aborted: boolean;
  }

  function finish(trace: RequestTrace, { method, url, status, aborted }: Ending, seconds: number) {
    const errorCode = trace.errorCode === undefined || CODE.test(trace.errorCode) ? trace.errorCode : 'OTHER';
    if (trace.kind === 'graphql') {
      const operation = operationLabel(trace.operation);
      // An error without a code is told apart by its status.
      const outcome = aborted
        ? 'CANCELLED'
        : errorCode !== undefined && (errorCode !== 'OTHER' || status < 400)
          ? errorCode
          : status >= 400 ? `HTTP_${status}` : 'ok';
      requestCount(`${operation}\n${outcome}`).inc();
      requestTime(operation).observe(seconds);
    }
    const level = trace.kind === 'probe' ? 'debug' : status >= 500 ? 'error' : 'info';
    if (!requestLog.isLevelEnabled(level)) return;
    const { upstream } = trace;
    const line: Record<string, unknown> = {
      requestId: trace.requestId,
      method,
      path: (url ?? '/').split('?', 1)[0]!.slice(0, 200),
      status,
      ms: Math.round(seconds * 10_000) / 10,
    };
    if (trace.remote !== undefined) line['remote'] = trace.remote;
    // The SERVER span's ids: the line and the request's trace find each other.
    if (trace.spans !== undefined) Object.assign(line, logIds(trace.spans.server));
    if (trace.operation !== undefined) line['operation'] = trace.operation.slice(0, 100);
    if (errorCode !== undefined) line['errorCode'] = errorCode;
    if (upstream.calls > 0 || upstream.cached > 0) line['upstream'] = upstream;
    if (aborted) line['aborted'] = true;
    requestLog[level](line, 'request');
  }

  /** A new trace, counted in flight until the returned function reports how it ended. */
  function open(requestId: string, kind: RequestTrace['kind']): [RequestTrace, (ending: Ending) => void] {
    const start = performance.now();
    inFlightCount++;
    const trace: RequestTrace = {
      requestId,
      kind,
      operation: undefined,
      errorCode: undefined,
      upstream: { calls: 0, attempts: 0, cached: 0, outcome: undefined },
      spans: undefined,
      remote: undefined,
    };
    const end = (ending: Ending) => {
      inFlightCount--;
      endServer(trace, ending.status);
      finish(trace, ending, (performance.now() - start) / 1000);
    };
    return [trace, end];
  }

  return {
    registry,
    begin(req, res, requestId) {
      const [trace, end] = open(requestId, 'other');
      res.once('close', () => end({ method: req.method, url: req.url, status: res.statusCode, aborted: !res.writableFinished }));
      return trace;
    },
    beginOperation(requestId, method, path) {
      const [trace, end] = open(requestId, 'graphql');
      let ended = false;
      return {
        trace,
        end(aborted) {
          if (ended) return;
          ended = true;
          end({ method, url: path, status: 200, aborted });
        },
      };
    },
    fanOut(branches) {
      fanOutBranches.observe(branches);
    },
    upstreamCall({ outcome, seconds, attempts }) {
      upstreamCount(outcome).inc();
      upstreamTime(outcome).observe(seconds);
      if (attempts > 1) retries.inc(attempts - 1);
    },
    cacheLookup(store, hit) {
      lookups?.inc({ store, result: hit ? 'hit' : 'miss' });
    },
    redis: {
      state(up) {
        redisUp?.set(up ? 1 : 0);
      },
      error() {
        redisErrors?.inc();
      },
    },
    inFlight: () => inFlightCount,
    spansDropped(count) {
      spansDropped?.inc(count);
    },
    live: {
      counts(subscriptions, pollers) {
        liveSubscriptions.set(subscriptions);
        livePollers.set(pollers);
      },
      written(events) {
        unscrapedEvents += events;
      },
    },
  };
}
