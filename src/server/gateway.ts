/**
 * createGateway: the node:http handler in front of everything: health, CORS, GraphiQL, rate
 * limits and body caps, then the fast path for plain JSON queries and yoga (loaded on first
 * need) for the rest. It binds nothing; main.ts (or a test) decides where to listen.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorForLog } from '../logger.ts';
import { createContext } from '../context.ts';
import { schema } from '../schema/index.ts';
import { callerToken, upstreamToken, type TokenPolicy } from '../upstream/auth.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { createFastPath, jsonMediaType } from './fast-path.ts';
import { createGraphiQLHandler, wantsGraphiQL } from './graphiql.ts';
import { createMaskError } from './use-error-log.ts';
import type { YogaServer } from './yoga.ts';
import { operationLimitRules, type OperationLimits } from './operation-limits.ts';
import type { ParserLimits } from './use-parser-limits.ts';
import { refuseBody } from './body-limit.ts';
import { applyCors } from './cors.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import type { PersistedOperations } from './persisted-operations.ts';
import { NoSchemaIntrospectionCustomRule } from 'graphql';

export interface GatewayOptions {
  client: UpstreamClient;
  tokens: TokenPolicy;
  log: Logger;
  /** The largest request body accepted, default 100 KiB. */
  maxRequestBytes?: number;
  /** Answer plain JSON queries without yoga's machinery (fast-path.ts), default true. */
  fastPath?: boolean;
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
  /** Persisted operations (persisted-operations.ts), default none. */
  persisted?: PersistedOperations;
}

export interface Gateway {
  server: Server;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export const GRAPHQL_ENDPOINT = '/graphql';

/** A JSON POST the fast path can answer (see fast-path.ts), as the media type to answer with. */
function fastPathMediaType(req: IncomingMessage): string | undefined {
  // yoga's own test (request-parser/utils.js), case-sensitive: anything else is yoga's to refuse.
  const type = req.headers['content-type']?.split(',', 1)[0];
  const json = type === 'application/json' || type?.startsWith('application/json;') === true;
  // A compressed body is yoga's to decode (or refuse).
  const encoded = req.headers['content-encoding'] !== undefined;
  return json && !encoded ? jsonMediaType(req.headers.accept) : undefined;
}

/** Answers 429 RATE_LIMITED with Retry-After, and returns true, when the caller is over its rate. */
function refuseRateLimited(req: IncomingMessage, res: ServerResponse, limiter: RateLimiter): boolean {
  const wait = limiter.take(callerToken(nodeHeaders(req)), req.socket.remoteAddress);
  if (wait === 0) return false;
  const body = JSON.stringify({
    errors: [{ message: `Too many requests: try again in ${wait} s.`, extensions: { code: 'RATE_LIMITED' } }],
  });
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': String(wait) });
  res.end(body);
  req.resume();
  return true;
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
  const { client, tokens, log, maxRequestBytes = 100 * 1024, parserLimits = {}, persisted } = options;
  // In allow-list mode every request goes through yoga's persisted-operations plugin, which
  // refuses documents not sent by id; the fast path serves documents sent as text.
  const fastPath = (options.fastPath ?? true) && persisted?.mode !== 'allowlist';
  const { introspection = true, graphiql = true, corsOrigins = [] } = options;
  const limitRules = operationLimitRules(options.limits);
  const limiter = createRateLimiter(options.rateLimit ?? { perSecond: 0, burst: 0 });
  if (!introspection) limitRules.push(NoSchemaIntrospectionCustomRule);
  const maskErrorFn = createMaskError(log);
  let yoga: Promise<YogaServer> | undefined;
  const getYoga = () =>
    (yoga ??= import('./yoga.ts').then(({ createYogaServer }) =>
      createYogaServer({ client, tokens, log, endpoint: GRAPHQL_ENDPOINT, maskError: maskErrorFn, limitRules, parserLimits, persisted }),
    ));
  const serveGraphiQL = createGraphiQLHandler(GRAPHQL_ENDPOINT);
  const serveFast = createFastPath({
    schema,
    getYoga,
    log,
    limitRules,
    parserLimits,
    maskError: maskErrorFn,
    createContext: (req, requestId, signal) =>
      createContext(client, requestId, upstreamToken(tokens, nodeHeaders(req)), log, signal),
  });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?', 1)[0];

    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = '{"status":"ok"}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (applyCors(req, res, { origins: corsOrigins })) return;
    if (graphiql && path === GRAPHQL_ENDPOINT && wantsGraphiQL(req)) {
      serveGraphiQL(req, res).catch((err: unknown) => {
        log.error({ requestId, error: errorForLog(err) }, 'graphiql failed to render');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (path === GRAPHQL_ENDPOINT && refuseRateLimited(req, res, limiter)) return;
    if (refuseBody(req, res, maxRequestBytes)) return;
    const mediaType = fastPath && req.method === 'POST' && path === GRAPHQL_ENDPOINT ? fastPathMediaType(req) : undefined;
    if (mediaType !== undefined) {
      serveFast(req, res, requestId, mediaType).catch((err: unknown) => {
        log.error({ requestId, error: errorForLog(err) }, 'unexpected error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"Unexpected error.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}');
      });
      return;
    }
    getYoga()
      .then((server) => server.handle(req, res, { requestId }))
      .catch((err: unknown) => {
        log.error({ requestId, error: errorForLog(err) }, 'unexpected error');
        if (!res.headersSent) res.writeHead(500).end();
      });
  };

  const server = createServer(handler);
  // Load yoga soon after start-up, off the path of the first requests (the fast path needs none).
  server.once('listening', () => setTimeout(() => void getYoga(), 1000).unref());
  return { server, handler };
}
