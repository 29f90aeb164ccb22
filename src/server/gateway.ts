/**
 * createGateway: the yoga instance and the node:http handler around it. It binds nothing;
 * main.ts (or a test) decides where to listen.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
import { errorForLog } from '../logger.ts';
import { createContext, type GatewayContext } from '../context.ts';
import { schema } from '../schema/index.ts';
import { upstreamToken, type TokenPolicy } from '../upstream/auth.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { createGraphiQLHandler, wantsGraphiQL } from './graphiql.ts';
import { createMaskError, useErrorLog } from './use-error-log.ts';
import { useJit } from './use-jit.ts';
import { useParserLimits } from './use-parser-limits.ts';
import { useRequestErrors } from './use-request-errors.ts';
import { refuseBody } from './body-limit.ts';

export interface GatewayOptions {
  client: UpstreamClient;
  tokens: TokenPolicy;
  log: Logger;
  /** The largest request body accepted, default 100 KiB. */
  maxRequestBytes?: number;
}

export interface Gateway {
  server: Server;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export const GRAPHQL_ENDPOINT = '/graphql';

// An incoming X-Request-Id is reused only when it is short and plain: it goes upstream and
// into logs.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface ServerContext {
  requestId: string;
}

export function createGateway({ client, tokens, log, maxRequestBytes = 100 * 1024 }: GatewayOptions): Gateway {
  const yoga = createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    graphiql: false,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError: createMaskError(log) },
    context: ({ request, requestId }) =>
      createContext(client, requestId, upstreamToken(tokens, request.headers), log, request.signal),
    // yoga's default CORS answers any origin, with credentials; closed until the security
    // issue brings an allow-list (same-origin GraphiQL and server-side clients need none).
    cors: false,
    // refuseBody (body-limit.ts) enforces MAX_REQUEST_BYTES before yoga sees the request;
    // yoga's own limiter pipes every body through a stream, measurably slower under load.
    maxRequestBodySize: false,
    plugins: [useRequestErrors(), useParserLimits(), useJit(), useErrorLog(log)],
  });
  const serveGraphiQL = createGraphiQLHandler(GRAPHQL_ENDPOINT);

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
    if (path === GRAPHQL_ENDPOINT && wantsGraphiQL(req)) {
      serveGraphiQL(req, res).catch((err: unknown) => {
        log.error({ requestId, error: errorForLog(err) }, 'graphiql failed to render');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (refuseBody(req, res, maxRequestBytes)) return;
    void yoga.handle(req, res, { requestId });
  };

  return { server: createServer(handler), handler };
}
