/**
 * One poll loop: reads one key's page (one call, or a status group's fan-out) every pollMs (with ±10 % jitter, so that keys
 * started together drift apart), publishes a page only when it differs from the last one it
 * published, backs off on transient failures and publishes a final error on permanent ones
 * (DESIGN.md "Live updates"). stop() cancels the next poll and aborts the call in flight.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TrainingJobsQuery } from '../domain.ts';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { errorForLog } from '../logger.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { createTrainingJobsSource } from '../upstream/loaders.ts';
import { pageEvent, type LiveEvent } from './events.ts';
import { endSpan, logIds, type Span, type Tracer } from '../tracing/api.ts';

/** Failures that polling again cannot cure: they end the streams. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']);

export interface PollerOptions {
  client: UpstreamClient;
  query: TrainingJobsQuery;
  /** The token sent upstream; held only for the poller's life. */
  token: string;
  /** The wait between polls (LIVE_POLL_MS). */
  pollMs: number;
  /** The longest wait after failures (LIVE_MAX_BACKOFF_MS). */
  maxBackoffMs: number;
  publish(event: LiveEvent): void;
  log: Logger;
  /** Names the key in log lines (never the credential). */
  label: string;
  /** Default Math.random; tests pin the jitter. */
  random?: () => number;
  /** Makes each poll a trace of its own: a root `live.poll` span, its upstream calls under it. */
  tracer?: Tracer | undefined;
  /** This process's subscribers to the key, for the poll's span. */
  subscribers?: () => number;
}

export interface Poller {
  /** Polls at once, then on schedule until stop(). */
  start(): void;
  stop(): void;
}

export function createPoller(options: PollerOptions): Poller {
  const { client, query, token, pollMs, maxBackoffMs, publish, log, label, random = Math.random, tracer } = options;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let controller: AbortController | undefined;
  let published: string | undefined;
  let failures = 0;

  function schedule(ms: number) {
    timer = setTimeout(poll, Math.round(ms * (0.9 + 0.2 * random())));
  }

  function poll() {
    timer = undefined;
    const call = new AbortController();
    controller = call;
    // Its own trace, not a subscriber's: a stream lasts hours and must not hold a span open.
    const span = tracer?.root('live.poll');
    // A poll is one operation: a status group's whole fan-out, through a pool of its own.
    createTrainingJobsSource(client, { token, requestId: randomUUID(), signal: call.signal, span }, { dedupe: false }).page(query).then(
      (page) => {
        endPoll(span);
        if (!running || call.signal.aborted) return;
        failures = 0;
        const event = pageEvent(page);
        if (event.fingerprint !== published) {
          published = event.fingerprint;
          publish(event);
        }
        if (running) schedule(pollMs);
      },
      (err: unknown) => {
        if (span !== undefined) tracer!.fail(span, err instanceof GatewayError ? err.code : 'INTERNAL_SERVER_ERROR');
        endPoll(span);
        if (!running || call.signal.aborted) return;
        failed(err, logIds(span));
      },
    );
  }

  /** Ends a poll's span, with the subscribers it served (the first poll starts before its first subscriber is counted). */
  function endPoll(span: Span | undefined) {
    if (span === undefined) return;
    if (options.subscribers !== undefined) span.setAttribute('tjg.live.subscribers', options.subscribers());
    endSpan(span);
  }

  function failed(err: unknown, ids: Record<string, string> | undefined) {
    const code = err instanceof GatewayError ? err.code : 'INTERNAL_SERVER_ERROR';
    if (err instanceof GatewayError && PERMANENT.has(err.code)) {
      log.warn({ poller: label, ...ids, code }, 'live poll failed for good: ending its streams');
      running = false;
      publish({ kind: 'error', error: err, final: true });
      return;
    }
    if (!(err instanceof GatewayError)) log.error({ poller: label, ...ids, error: errorForLog(err) }, 'unexpected error while polling');
    failures++;
    const wait = Math.min(maxBackoffMs, pollMs * 2 ** failures);
    log.warn({ poller: label, ...ids, code, failures, retryInMs: wait }, 'live poll failed: backing off');
    // Streams still waiting for their first event get this error, as the query would answer it.
    if (published === undefined) {
      publish({ kind: 'error', error: err instanceof GatewayError ? err : new GatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error.'), final: false });
    }
    if (running) schedule(wait);
  }

  return {
    start() {
      if (running) return;
      running = true;
      poll();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      controller?.abort();
      controller = undefined;
    },
  };
}
