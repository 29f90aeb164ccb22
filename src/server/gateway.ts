/**
 * createGateway: the node:http handler in front of everything: request ids and the request's
 * trace (telemetry.ts), health, readiness and metrics, CORS, GraphiQL, rate limits and body
 * caps, then the fast path for plain JSON queries and yoga (loaded on first need) for the rest;
 * and the graceful shutdown. It binds nothing; main.ts (or a test) decides where to listen.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorForLog } from '../logger.ts';
import { createContext, type RequestTrace } from '../context.ts';
import { schema } from '../schema/index.ts';
import { callerToken, upstreamToken, type TokenPolicy } from '../upstream/auth.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { createFastPath, fastMediaType } from './transports/fast-path.ts';
import { hungUp } from './plugins/use-request-trace.ts';
import { createSharedResults } from './plugins/use-shared-subscription-results.ts';
import { createGraphiQLHandler, wantsGraphiQL } from './graphiql.ts';
import { createMaskError } from './plugins/use-error-log.ts';
import type { YogaServer } from './yoga.ts';
import { operationLimitRules, type OperationLimits } from './plugins/use-operation-limits.ts';
import type { ParserLimits } from './plugins/use-parser-limits.ts';
import { refuseBody } from './http/body-limit.ts';
import { applyCors } from './http/cors.ts';
import { clientAddressOf } from './http/client-address.ts';
import { serverSpans } from './http/spans.ts';
import type { Tracer } from '../tracing/api.ts';
import { createRateLimiter, type RateLimiter } from '../upstream/rate-limit.ts';
import { sendError } from './http/error-response.ts';
import { createCompressor, DEFAULT_COMPRESSION, type CompressionOptions, type Compressor } from './transports/compression.ts';
import { createTelemetry, type Telemetry } from './telemetry.ts';
import type { PersistedOperations } from './plugins/persisted-operations.ts';
import { attachWebSocket } from './transports/websocket.ts';
import type { LiveRegistry } from '../live/registry.ts';
import { NoSchemaIntrospectionCustomRule } from 'graphql';

export interface GatewayOptions {
  client: UpstreamClient;
  /** Where subscriptions get their streams (src/live/); closed by shutdown(). */
  live: LiveRegistry;
  tokens: TokenPolicy;
  log: Logger;
  /** The largest request body accepted, default 100 KiB. */
  maxRequestBytes?: number;
  /** Compressed answers (compression.ts), default br and gzip from 4096 bytes. */
  compression?: CompressionOptions;
  /** Answer plain JSON queries without yoga's machinery (fast-path.ts), default true. */
  fastPath?: boolean;
  /** The fast path runs queries compiled by graphql-jit once loaded (fast-path.ts), default true. */
  jit?: boolean;
  /** Depth, aliases, directives and cost per operation (operation-limits.ts). */
  limits?: OperationLimits;
  /** Tokens and nesting per document (use-parser-limits.ts). */
  parserLimits?: ParserLimits;
  /** Schema introspection, default on; off adds graphql-js's NoSchemaIntrospectionCustomRule. */
  introspection?: boolean;
  /** The GraphiQL page at GET /graphql, default on. */
  graphiql?: boolean;
  /** Origins allowed by CORS, default none (cors.ts). */
  corsOrigins?: readonly string[];
  /** Per-caller request rate (rate-limit.ts), default off. */
  rateLimit?: { perSecond: number; burst: number };
  /** Where the rate limits' buckets live, default this process (built from rateLimit). */
  limiter?: RateLimiter;
  /** TRUST_PROXY: the proxies whose X-Forwarded-For is believed (client-address.ts), default none. */
  trustProxy?: readonly string[];
  /** LIVE_MAX_SOCKETS_PER_CALLER: open WebSockets per caller (websocket.ts), default 10. */
  maxSocketsPerCaller?: number;
  /** Persisted operations (persisted-operations.ts), default none. */
  persisted?: PersistedOperations;
  /** Spans of every GraphQL request (DESIGN.md "OpenTelemetry traces"), default none. */
  tracer?: Tracer | undefined;
  /** Logs and metrics (telemetry.ts); default a fresh registry without the cache metrics. */
  telemetry?: Telemetry;
}

export interface Gateway {
  server: Server;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  telemetry: Telemetry;
  /**
   * Starts draining: /ready answers 503 and requests arriving from now on are answered with
   * Connection: close, while still served (a load balancer needs a moment to notice).
   */
  drain(): void;
  /**
   * Drains, completes every subscription (SSE streams end with `complete`, WebSockets close with
   * 1001), stops accepting, and waits up to graceMs for the requests in flight; then cuts the
   * connections still open. Resolves with the number of requests cut.
   */
  shutdown(graceMs: number): Promise<number>;
  /** Loads now what is otherwise loaded a second after listening: graphql-jit, yoga, the WebSocket server. */
  warm(): Promise<void>;
}

export const GRAPHQL_ENDPOINT = '/graphql';

/** A JSON POST the fast path can answer (see fast-path.ts), as the media type to answer with: JSON, or SSE for a subscription. */
function fastPathMediaType(req: IncomingMessage): string | undefined {
  // yoga's own test (request-parser/utils.js), case-sensitive: anything else is yoga's to refuse.
  const type = req.headers['content-type']?.split(',', 1)[0];
  const json = type === 'application/json' || type?.startsWith('application/json;') === true;
  // A compressed body is yoga's to decode (or refuse).
  const encoded = req.headers['content-encoding'] !== undefined;
  return json && !encoded ? fastMediaType(req.headers.accept) : undefined;
}

/** Answers 429 RATE_LIMITED with Retry-After, and returns true, when the caller is over its rate. */
function refuseRateLimited(req: IncomingMessage, res: ServerResponse, trace: RequestTrace, wait: number): boolean {
  if (wait === 0) return false;
  sendError(res, trace, 429, 'RATE_LIMITED', `Too many requests: try again in ${wait} s.`, { 'retry-after': String(wait) });
  req.resume();
  return true;
}

/**
 * A probe's answer, without a body for HEAD. /health and /ready are tiny and go out as they are;
 * /metrics (tens of KB of text, and Prometheus asks for gzip) goes through the compressor.
 */
function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: string, type = 'application/json', compressor?: Compressor): void {
  const headers = { 'content-type': type, 'cache-control': 'no-store' };
  if (compressor !== undefined) return compressor.send(req, res, status, headers, body);
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The Fetch-style header reader upstreamToken expects, over node's header record. */
function nodeHeaders(req: IncomingMessage) {
  return {
    get(name: string): string | null {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

// An incoming X-Request-Id is reused only when it is short and plain: it goes upstream and
// into logs.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createGateway(options: GatewayOptions): Gateway {
  const { client, live, tokens, log, maxRequestBytes = 100 * 1024, parserLimits = {}, persisted, tracer } = options;
  // In allow-list mode every request goes through yoga's persisted-operations plugin, which
  // refuses documents not sent by id; the fast path serves documents sent as text.
  const fastPath = (options.fastPath ?? true) && persisted?.mode !== 'allowlist';
  const { introspection = true, graphiql = true, corsOrigins = [] } = options;
  const limitRules = operationLimitRules(options.limits);
  const limiter = options.limiter ?? createRateLimiter(options.rateLimit ?? { perSecond: 0, burst: 0 });
  const clientAddress = clientAddressOf(options.trustProxy ?? []);
  if (!introspection) limitRules.push(NoSchemaIntrospectionCustomRule);
  const maskErrorFn = createMaskError();
  const compression = options.compression ?? DEFAULT_COMPRESSION;
  const compressor = createCompressor(compression);
  const telemetry = options.telemetry ?? createTelemetry({ log });
  const shared = createSharedResults();
  let yoga: Promise<YogaServer> | undefined;
  const getYoga = () =>
    (yoga ??= import('./yoga.ts').then(({ createYogaServer }) =>
      createYogaServer({ client, live, tokens, log, endpoint: GRAPHQL_ENDPOINT, maskError: maskErrorFn, limitRules, parserLimits, persisted, shared, compression }),
    ));
  const serveGraphiQL = createGraphiQLHandler(GRAPHQL_ENDPOINT, compression.encodings);
  const fast = createFastPath({
    schema,
    jit: options.jit,
    getYoga,
    log,
    limitRules,
    parserLimits,
    maskError: maskErrorFn,
    shared,
    compressor,
    createContext: (req, trace, signal, subscription) => {
      const headers = nodeHeaders(req);
      const caller = subscription ? { registry: live, credential: callerToken(headers), address: trace.remote } : undefined;
      return createContext({ client, trace, token: upstreamToken(tokens, headers), log, signal, live: caller });
    },
  });

  let draining = false;

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    if (draining) res.setHeader('connection', 'close');
    const trace = telemetry.begin(req, res, requestId);
    // Once per request: everything that keys a caller by address, and the log line, read it here.
    trace.remote = clientAddress(req);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (tracer !== undefined && path === GRAPHQL_ENDPOINT) trace.spans = serverSpans(tracer, req, GRAPHQL_ENDPOINT, trace.remote);
    const unexpected = (err: unknown) => {
      // A client that hung up mid-body is no fault of ours: its request line says `aborted`.
      if (hungUp(req)) return;
      log.error({ requestId, error: errorForLog(err) }, 'unexpected error');
      sendError(res, trace, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    };

    if ((path === '/health' || path === '/ready' || path === '/metrics') && (req.method === 'GET' || req.method === 'HEAD')) {
      trace.kind = 'probe';
      if (path === '/health') sendJson(req, res, 200, '{"status":"ok"}');
      else if (path === '/ready') sendJson(req, res, draining ? 503 : 200, draining ? '{"status":"draining"}' : '{"status":"ready"}');
      else telemetry.registry.metrics().then((text) => sendJson(req, res, 200, text, telemetry.registry.contentType, compressor), unexpected);
      return;
    }
    if (applyCors(req, res, { origins: corsOrigins })) return;
    if (graphiql && path === GRAPHQL_ENDPOINT && wantsGraphiQL(req)) {
      serveGraphiQL(req, res).catch(unexpected);
      return;
    }
    if (path !== GRAPHQL_ENDPOINT) return serve(req, res, trace, path, unexpected);
    trace.kind = 'graphql';
    const wait = limiter.take(callerToken(nodeHeaders(req)), trace.remote);
    if (typeof wait === 'number') {
      if (!refuseRateLimited(req, res, trace, wait)) serve(req, res, trace, path, unexpected);
      return;
    }
    // A shared bucket (Redis) answers asynchronously; the body waits, unread, meanwhile.
    wait.then((w) => refuseRateLimited(req, res, trace, w) || serve(req, res, trace, path, unexpected)).catch(unexpected);
  };

  /** Everything after the rate limit: body caps, then the fast path or yoga. */
  function serve(req: IncomingMessage, res: ServerResponse, trace: RequestTrace, path: string | undefined, unexpected: (err: unknown) => void): void {
    if (refuseBody(req, res, trace, maxRequestBytes)) return;
    const mediaType = fastPath && req.method === 'POST' && path === GRAPHQL_ENDPOINT ? fastPathMediaType(req) : undefined;
    if (mediaType !== undefined) {
      fast.serve(req, res, trace, mediaType).catch(unexpected);
      return;
    }
    getYoga()
      .then((server) => server.handle(req, res, { trace, address: trace.remote }))
      .catch(unexpected);
  }

  const server = createServer(handler);
  const websocket = attachWebSocket({
    server, endpoint: GRAPHQL_ENDPOINT, getYoga, log, telemetry, corsOrigins, limiter, maxPayload: maxRequestBytes, persisted,
    clientAddress, maxSocketsPerCaller: options.maxSocketsPerCaller ?? 10, tracer,
  });
  // Load yoga soon after start-up, off the path of the first requests (the fast path needs none).
  const warm = async () => {
    await fast.warm();
    await getYoga();
    await websocket.warm();
  };
  // Off the path of the first requests, which the fast path answers on graphql-js meanwhile.
  server.once('listening', () => setTimeout(() => void warm(), 1000).unref());

  function drain() {
    draining = true;
  }

  async function shutdown(graceMs: number): Promise<number> {
    drain();
    // Open streams never hold the grace period: they end now, and clients reconnect elsewhere.
    live.close();
    const sockets = websocket.close();
    const closed = new Promise<number>((resolve) => server.close(() => resolve(0)));
    // Requests that arrive while draining are answered with Connection: close; the connections
    // of requests already under way stay open after their answer, so they are closed as soon as
    // they are idle. A sweep rather than a set of the responses in flight: keeping such a set
    // cost 10% of the throughput in old-generation garbage.
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        const cut = telemetry.inFlight();
        server.closeAllConnections();
        resolve(cut);
      }, graceMs);
    });
    try {
      const cut = await Promise.race([closed, graceOver]);
      await sockets;
      return cut;
    } finally {
      clearTimeout(timer);
      clearInterval(sweep);
    }
  }

  return { server, handler, telemetry, drain, shutdown, warm };
}
