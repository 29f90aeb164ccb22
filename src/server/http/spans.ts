/**
 * A GraphQL request's spans (DESIGN.md "OpenTelemetry traces"): the SERVER span every transport
 * opens, the operation's INTERNAL span under it, and how each ends. Every function here does
 * nothing when the request has no spans (tracing off), so callers need no test of their own.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestTrace } from '../../context.ts';
import { endSpan, type RequestSpans, type Span, type Tracer } from '../../tracing/api.ts';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Opens the SERVER span of a request to the GraphQL endpoint (or of a WebSocket upgrade to it). */
export function serverSpans(tracer: Tracer, req: IncomingMessage, route: string, clientAddress: string | undefined): RequestSpans {
  // The semantic conventions' rule: a method outside HTTP's own set is `_OTHER` (the span name
  // then says HTTP), so that a client cannot mint span names.
  const known = req.method !== undefined && KNOWN_METHODS.has(req.method);
  const server = tracer.server(`${known ? req.method : 'HTTP'} ${route}`, req.headers, {
    'http.request.method': known ? req.method : '_OTHER',
    'http.request.method_original': known ? undefined : req.method,
    'url.scheme': 'http',
    'http.route': route,
    'url.path': (req.url ?? '/').split('?', 1)[0],
    'client.address': clientAddress,
    'user_agent.original': req.headers['user-agent'],
  });
  return { tracer, server, operation: undefined };
}

/**
 * Opens the operation's span once its type is known; a request gets one (a fast-path request
 * that yoga finishes keeps the span it has).
 */
export function traceOperation(trace: RequestTrace, type: string, name: string | undefined, persistedId?: string | null): void {
  const spans = trace.spans;
  if (spans === undefined || spans.operation !== undefined) return;
  spans.operation = spans.tracer.child(spans.server, type, 'internal', {
    'graphql.operation.type': type,
    // The name a client gave; the document itself, with its literals, never (DESIGN.md).
    'graphql.operation.name': name || undefined,
    'tjg.persisted_id': persistedId ?? undefined,
  });
}

/** Notes the codes of the errors an answer carries on the operation's span. */
export function traceErrorCodes(trace: RequestTrace, codes: string[]): void {
  const operation = trace.spans?.operation;
  if (operation !== undefined && codes.length > 0) operation.setAttribute('tjg.graphql.error_codes', [...new Set(codes)]);
}

/** Ends the operation's span: its result is ready, or its first event is written. */
export function endOperation(trace: RequestTrace): void {
  endOnce(trace.spans?.operation);
}

/**
 * Ends the request's spans with the status it answered: when the response closes, or, for a
 * stream, when its first event is written (a stream never holds a span open for hours).
 */
export function endServer(trace: RequestTrace, status: number): void {
  if (trace.spans !== undefined) endSpans(trace.spans, status);
}

/** endServer for spans without a request trace of their own (a WebSocket upgrade's, at its 101 or refusal). */
export function endSpans(spans: RequestSpans, status: number): void {
  endOnce(spans.operation);
  // A WebSocket operation's server span is its upgrade's, ended at the 101.
  if (!spans.server.isRecording()) return;
  spans.server.setAttribute('http.response.status_code', status);
  if (status >= 500) spans.tracer.fail(spans.server, String(status));
  endSpan(spans.server);
}

function endOnce(span: Span | undefined): void {
  if (span?.isRecording()) endSpan(span);
}
