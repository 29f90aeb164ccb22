/**
 * What the gateway asks of tracing (DESIGN.md "OpenTelemetry traces"), without loading it: the
 * SDK lives in otel.ts, which only main.ts imports, and only when an OTLP endpoint is set. With
 * tracing off every span handle below is undefined and the paths that would make one skip it.
 *
 * Spans are handed down explicitly (the request's trace, an upstream call's `span`) rather than
 * found through the OpenTelemetry context manager: AsyncLocalStorage would follow every promise
 * of every request, traced or not, and its notion of "the active span" breaks where work is
 * shared (a loader's batch, a cached call, a poller serving many subscribers).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Attributes, Span } from '@opentelemetry/api';

export type { Attributes, Span };

export interface Tracer {
  /**
   * A SERVER span for an HTTP request (or a WebSocket upgrade), continuing the caller's W3C
   * `traceparent` and `tracestate` when it sends them.
   */
  server(name: string, headers: IncomingHttpHeaders, attributes: Attributes): Span;
  /** A span under `parent`: the operation (INTERNAL) or an upstream attempt (CLIENT). */
  child(parent: Span, name: string, kind: 'internal' | 'client', attributes?: Attributes): Span;
  /** A span that starts a trace of its own (a live poll). */
  root(name: string, attributes?: Attributes): Span;
  /** Marks `span` failed: status ERROR and `error.type`. */
  fail(span: Span, type: string): void;
  /** Adds the W3C `traceparent` (and `tracestate`) of a call made as `span`. */
  inject(span: Span, headers: Record<string, string>): void;
  /** Exports the spans still queued, giving up after `timeoutMs`; later spans are dropped. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** A GraphQL request's spans: its SERVER span, and its operation's once the operation is known. */
export interface RequestSpans {
  readonly tracer: Tracer;
  readonly server: Span;
  /** The upstream calls' parent (INTERNAL, named by the operation's type). */
  operation: Span | undefined;
}

/**
 * Now, in epoch milliseconds with the monotonic clock's precision: every span's start, end and
 * event time. Left to itself the SDK mixes Date.now() (whole milliseconds, read per span) into
 * each span's times, so a child could end a fraction of a millisecond after its parent.
 */
export const spanTime = (): number => performance.timeOrigin + performance.now();

/** Ends a span at spanTime(). */
export function endSpan(span: Span): void {
  span.end(spanTime());
}

/** The ids a log line written inside `span` carries, so that logs and traces join up. */
export function logIds(span: Span | undefined): { trace_id: string; span_id: string } | undefined {
  if (span === undefined) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
