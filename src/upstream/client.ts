/**
 * The connector to ModelArts on undici, whichever list API is in use (dialect.ts): one
 * keep-alive pool shared by every request, one deadline per call covering connect, headers,
 * body and every retry, and every outcome turned into a page or a GatewayError (classify.ts).
 */
import { Pool } from 'undici';
import type { CountsFilter, SortField, StatusCounts, TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import { createBreaker, type BreakerOptions } from './breaker.ts';
import { cancelledError, circuitOpenError, classifyResponse, timeoutError, tooLargeError, unavailableError } from './classify.ts';
import type { FieldRun, PlannedField, UpstreamDialect, UpstreamRequest } from './dialect.ts';
import { MalformedBodyError } from './mapping.ts';
import { backoffMs, RETRIED_STATUSES, retryAfterMs, UNAVAILABLE_STATUSES } from './retry.ts';
import { sdkDate, sign } from './signer.ts';
import { exchange, type Exchange } from './exchange.ts';
import type { CallSignal } from './signal.ts';
import { endSpan, type Span, type Tracer } from '../tracing/api.ts';
import { v1 } from './v1/index.ts';
import { createV2, type OffsetReading } from './v2/index.ts';

export type { CallSignal } from './signal.ts';
export type { FieldRun, PageFetch, PlannedField, UpstreamRequest } from './dialect.ts';

/** The list API of MODELARTS_API (and MODELARTS_V2_OFFSET). */
export const dialectOf = (api: 'v1' | 'v2', v2Offset: OffsetReading = 'page'): UpstreamDialect => (api === 'v2' ? createV2(v2Offset) : v1);

export interface UpstreamClientOptions {
  /** The list API behind the endpoint (dialectOf); default v1. */
  dialect?: UpstreamDialect;
  /** Base URL, e.g. https://modelarts.cn-north-4.myhuaweicloud.com; may carry a path prefix. */
  endpoint: string;
  projectId: string;
  /** Deadline of one call, first connect to last body byte, retries included. */
  timeoutMs: number;
  /** Attempts per call when the upstream is unreachable or overloaded; default 3 (1: no retry). */
  maxAttempts?: number;
  /** Largest body read, default 4 MiB (a realistic 1000-job page is about 0.3 MiB). */
  maxBodyBytes?: number;
  /** Fail fast while the upstream is hard down (breaker.ts). */
  breaker?: BreakerOptions;
  /** Keep-alive connections to the upstream, default 64. */
  connections?: number;
  /** Sign every request with these keys (MODELARTS_AUTH=aksk) instead of sending a token. */
  aksk?: { ak: string; sk: string; securityToken?: string | undefined } | undefined;
  /** Told of every call when it ends (metrics). */
  observe?: ((outcome: CallOutcome) => void) | undefined;
  /** Told of the branches of every status group page and count (metrics). */
  observeFanOut?: ((branches: number) => void) | undefined;
  /** MAX_UPSTREAM_CALLS: the upstream calls one operation may ask for, default 100. */
  maxCallsPerOperation?: number;
  /** A CLIENT span per attempt, under the call's `span` (DESIGN.md "OpenTelemetry traces"); default none. */
  tracer?: Tracer | undefined;
}

/** How one call ended: `ok`, a DESIGN.md error code, or CANCELLED when the client left first. */
export interface CallOutcome {
  outcome: string;
  seconds: number;
  /** Attempts made: 1 plus the retries; 0 when the breaker refused the call. */
  attempts: number;
}

/** What the calls of one GraphQL request did, for its log line; filled in by the client and the cache. */
export interface UpstreamTrace {
  calls: number;
  attempts: number;
  /** Pages served by the cache (cache.ts) instead of a call. */
  cached: number;
  /** `ok` while every call succeeded; else the outcome of the last call that did not. */
  outcome: string | undefined;
}


export interface UpstreamCall {
  /** The token sent as X-Auth-Token. */
  token: string;
  requestId: string;
  /** Aborts the call when the client goes away. */
  signal?: CallSignal | undefined;
  trace?: UpstreamTrace | undefined;
  /** The span the call is made for (an operation's, a live poll's): each attempt is a CLIENT span under it. */
  span?: Span | undefined;
}

/** What a request's calls go through: its loader, its pool, its signal (loaders.ts). */
export type CallRoute = Pick<FieldRun, 'fetch' | 'pool' | 'signal'>;

/**
 * The upstream as the layers above see it: one call, and the page, status group and counts
 * each upstream answers its own way (dialect.ts). Resolvers, pollers, the cache and the budget
 * ask only this interface, never which upstream is behind it.
 */
export interface UpstreamClient {
  /** One upstream call, as the upstream built it. */
  send(request: UpstreamRequest, call: UpstreamCall): Promise<TrainingJobPage>;
  /** A page of the query, status groups included; its calls go through `route`. */
  page(query: TrainingJobsQuery, route: CallRoute): Promise<TrainingJobPage>;
  /** How many jobs each status holds, and all of them, for one search and workspace. */
  countStatuses(filter: CountsFilter, route: CallRoute): Promise<StatusCounts>;
  /** A page's exact name on this upstream (what live pollers key on). */
  pageKey(query: TrainingJobsQuery): string;
  /** The sort fields the upstream can order by. */
  readonly sortFields: ReadonlySet<SortField>;
  /** The upstream calls a field will make at most (DESIGN.md "Cost"). */
  plannedCalls(field: PlannedField): number;
  /** MAX_UPSTREAM_CALLS. */
  readonly maxCallsPerOperation: number;
  close(): Promise<void>;
}

/** An UpstreamClient of `dialect` whose calls are `send`'s (a test's scripted upstream, or HTTP). */
export function clientOf(
  dialect: UpstreamDialect,
  send: UpstreamClient['send'],
  options: { timeoutMs: number; maxCallsPerOperation?: number | undefined; observeFanOut?: ((branches: number) => void) | undefined; close?: () => Promise<void> },
): UpstreamClient {
  // Spelled out: an object spread here cost a plain page 6 µs in a profile.
  const run = (route: CallRoute): FieldRun => ({
    fetch: route.fetch,
    pool: route.pool,
    signal: route.signal,
    timeoutMs: options.timeoutMs,
    onFanOut: options.observeFanOut,
  });
  return {
    send,
    page: (query, route) => dialect.page(query, run(route)),
    countStatuses: (filter, route) => dialect.counts(filter, run(route)),
    pageKey: dialect.pageKey,
    sortFields: dialect.sortFields,
    plannedCalls: dialect.plannedCalls,
    maxCallsPerOperation: options.maxCallsPerOperation ?? 100,
    close: options.close ?? (async () => {}),
  };
}

/** One attempt's outcome, and what it says about the upstream's health (for the breaker). */
type Attempt =
  | { page: TrainingJobPage; health: 'up'; status: number }
  | {
      error: GatewayError;
      health: 'up' | 'down' | 'unknown';
      retry: boolean;
      retryAfterMs?: number | undefined;
      /** The answer's HTTP status, when one came. */
      status?: number | undefined;
      /** Its span's `error.type`: the status, a connection error's code, or the gateway's code. */
      type: string;
    };

// Connection-level failures: the request may not have reached the upstream, or its answer
// was lost on the way back.
const TRANSPORT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/**
 * Why a call stopped early (its deadline passed, or its client left), and the one thing to end
 * when it does: the exchange or the backoff under way.
 */
interface CallStop {
  why(): 'deadline' | 'client' | undefined;
  now(why: 'deadline' | 'client'): void;
  /** Registers what `now` ends; runs it at once when the call has already stopped. */
  during(end: () => void): void;
}

function callStop(): CallStop {
  let current: (() => void) | undefined;
  let stopped: 'deadline' | 'client' | undefined;
  return {
    why: () => stopped,
    now(why) {
      if (stopped !== undefined) return;
      stopped = why;
      current?.();
    },
    during(end) {
      current = end;
      if (stopped !== undefined) end();
    },
  };
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const url = new URL(options.endpoint);
  const dialect = options.dialect ?? v1;
  const prefix = url.pathname.replace(/\/+$/, '');
  const path = `${prefix}${dialect.path(options.projectId)}`;
  const { tracer } = options;
  // What every attempt's span says of the server (DESIGN.md "OpenTelemetry traces").
  const serverAttributes = {
    'server.address': url.hostname.replace(/^\[|\]$/g, ''),
    'server.port': url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
    // The path with its project id as a placeholder (dialect.path encodes what it is given).
    'url.template': `${prefix}${dialect.path(PROJECT_PLACEHOLDER)}`.replace(PROJECT_PLACEHOLDER, '{project_id}'),
  };
  const maxAttempts = options.maxAttempts ?? 3;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const breaker = createBreaker(options.breaker);
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    // Our own deadline governs; these only stop undici from giving up first.
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: options.timeoutMs,
  });

  /**
   * Path and headers of one attempt: a token, or a fresh signature (X-Sdk-Date is per attempt).
   * The attempt's traceparent is set first, so that AK/SK signs it like every other header.
   */
  function prepare(request: UpstreamRequest, call: UpstreamCall, span: Span | undefined) {
    const headers: Record<string, string> = {
      'content-type': request.body === undefined ? 'application/json' : 'application/json;charset=UTF-8',
      accept: 'application/json',
      'x-request-id': call.requestId,
    };
    if (span !== undefined) tracer!.inject(span, headers);
    const { method, body } = request;
    if (options.aksk === undefined) {
      headers['x-auth-token'] = call.token;
      return { method, path: request.queryString === '' ? path : `${path}?${request.queryString}`, headers, body };
    }
    // Every header sent is signed, as the reference signers do (UPSTREAM.md "Authentication").
    Object.assign(headers, { host: url.host, 'x-project-id': options.projectId, 'x-sdk-date': sdkDate() });
    if (options.aksk.securityToken) headers['x-security-token'] = options.aksk.securityToken;
    // The body is signed as the exact bytes sent (its SHA-256 in the canonical request).
    const signed = sign({ method, path, query: request.query, headers, body, ak: options.aksk.ak, sk: options.aksk.sk });
    headers['authorization'] = signed.authorization;
    return { method, path: signed.queryString === '' ? path : `${path}?${signed.queryString}`, headers, body };
  }

  /** One attempt, as a CLIENT span under the call's span when tracing is on. */
  async function attempt(request: UpstreamRequest, call: UpstreamCall, stop: CallStop, resends: number): Promise<Attempt> {
    if (tracer === undefined || call.span === undefined) return exchangeOnce(request, call, stop, undefined);
    const span = tracer.child(call.span, request.method, 'client');
    try {
      const outcome = await exchangeOnce(request, call, stop, span);
      if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
      if ('error' in outcome) tracer.fail(span, outcome.type);
      return outcome;
    } catch (err) {
      tracer.fail(span, 'INTERNAL_SERVER_ERROR');
      throw err;
    } finally {
      if (resends > 0) span.setAttribute('http.request.resend_count', resends);
      endSpan(span);
    }
  }

  async function exchangeOnce(request: UpstreamRequest, call: UpstreamCall, stop: CallStop, span: Span | undefined): Promise<Attempt> {
    let res: Exchange;
    const prepared = prepare(request, call, span);
    if (span?.isRecording()) {
      span.setAttributes(serverAttributes);
      span.setAttribute('http.request.method', request.method);
      // v1's query string is the search; v2's body is never shown (DESIGN.md).
      span.setAttribute('url.full', `${url.origin}${prepared.path}`);
    }
    try {
      res = await exchange(pool, prepared, maxBodyBytes, stop.during);
    } catch (err) {
      if (stop.why() === 'client') return { error: cancelledError(), health: 'unknown', retry: false, type: 'CANCELLED' };
      if (stop.why() === 'deadline') return { error: timeoutError(), health: 'down', retry: false, type: 'UPSTREAM_TIMEOUT' };
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !TRANSPORT_CODES.has(code)) throw err;
      const error = unavailableError();
      error.cause = err;
      return { error, health: 'down', retry: true, type: code };
    }
    const { status, text } = res;
    const headerRequestId = header(res.headers['x-request-id']);
    if (text === undefined) return { error: tooLargeError(status, headerRequestId), health: 'up', retry: false, status, type: 'UPSTREAM_ERROR' };

    let body: unknown;
    try {
      body = dialect.parse(text);
    } catch {
      body = undefined;
    }
    if (status >= 200 && status <= 299 && body !== undefined) {
      try {
        return { page: dialect.toPage(body, request), health: 'up', status };
      } catch (err) {
        if (!(err instanceof MalformedBodyError)) throw err;
        const error = classifyResponse(status, body, headerRequestId);
        error.cause = err;
        return { error, health: 'up', retry: false, status, type: error.code };
      }
    }
    const error = classifyResponse(status, body, headerRequestId);
    return {
      error,
      health: UNAVAILABLE_STATUSES.has(status) ? 'down' : 'up',
      retry: RETRIED_STATUSES.has(status),
      retryAfterMs: retryAfterMs(header(res.headers['retry-after'])),
      status,
      // A 2xx that is no page is the gateway's call, not the status's.
      type: status >= 200 && status <= 299 ? error.code : String(status),
    };
  }

  async function send(request: UpstreamRequest, call: UpstreamCall): Promise<TrainingJobPage> {
    const start = performance.now();
    let attempts = 0;
    let outcome = 'INTERNAL_SERVER_ERROR';
    try {
      const page = await callWithRetries(request, call, () => attempts++);
      outcome = 'ok';
      return page;
    } catch (err) {
      if (call.signal?.aborted) outcome = 'CANCELLED';
      else if (err instanceof GatewayError) outcome = err.code;
      throw err;
    } finally {
      const { trace } = call;
      if (trace !== undefined) {
        trace.calls++;
        trace.attempts += attempts;
        // A branch cancelled because a sibling failed must not hide that sibling's code in the log.
        const hidesFailure = outcome === 'CANCELLED' && trace.outcome !== undefined && trace.outcome !== 'ok';
        if ((outcome !== 'ok' || trace.outcome === undefined) && !hidesFailure) trace.outcome = outcome;
      }
      options.observe?.({ outcome, seconds: (performance.now() - start) / 1000, attempts });
    }
  }

  async function callWithRetries(request: UpstreamRequest, call: UpstreamCall, attempted: () => void): Promise<TrainingJobPage> {
    const end = Date.now() + options.timeoutMs;
    const stop = callStop();
    // One timer per call, cleared at its end. Not AbortSignal.timeout/any: their timers outlive
    // the call and each fires a DOMException later, which under load cost more than the whole
    // upstream round trip's bookkeeping.
    const timer = setTimeout(stop.now, options.timeoutMs, 'deadline');
    const onClientGone = () => stop.now('client');
    if (call.signal?.aborted) onClientGone();
    call.signal?.addEventListener('abort', onClientGone, { once: true });
    try {
      for (let n = 1; ; n++) {
        if (stop.why() === 'client') throw cancelledError();
        const pass = breaker.allow();
        if (pass === undefined) throw circuitOpenError();
        let outcome: Attempt;
        attempted();
        try {
          outcome = await attempt(request, call, stop, n - 1);
        } catch (err) {
          breaker.record(pass, 'unknown');
          throw err;
        }
        breaker.record(pass, outcome.health);
        if ('page' in outcome) return outcome.page;
        if (!outcome.retry || n >= maxAttempts) throw outcome.error;
        // A wait that would end past the deadline only delays the same answer: give it now.
        const wait = outcome.retryAfterMs ?? backoffMs(n);
        if (Date.now() + wait >= end) throw outcome.error;
        await new Promise<void>((resolve) => {
          const backoff = setTimeout(resolve, wait);
          stop.during(() => {
            clearTimeout(backoff);
            resolve();
          });
        });
        if (stop.why() !== undefined) throw stop.why() === 'client' ? cancelledError() : timeoutError();
      }
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onClientGone);
    }
  }

  return clientOf(dialect, send, {
    timeoutMs: options.timeoutMs,
    maxCallsPerOperation: options.maxCallsPerOperation,
    observeFanOut: options.observeFanOut,
    close: () => pool.close(),
  });
}

const PROJECT_PLACEHOLDER = 'tjg-project-id-placeholder';

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
