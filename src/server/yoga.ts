/**
 * The yoga server behind the fast path: GET requests, other media types, and every request
 * whose answer is an error yoga phrases. It is loaded on first use (graphql-yoga and its
 * dependencies take about half of the start-up time) and warmed shortly after listening.
 */
import type { ValidationRule } from 'graphql';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { createContext, type GatewayContext } from '../context.ts';
import { schema } from '../schema/index.ts';
import type { LiveRegistry } from '../live/registry.ts';
import { callerToken, upstreamToken, type TokenPolicy } from '../upstream/auth.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { useCompression, type CompressionOptions } from './transports/compression.ts';
import { useErrorLog } from './plugins/use-error-log.ts';
import { useParserLimits, type ParserLimits } from './plugins/use-parser-limits.ts';
import { useOperationLimits } from './plugins/use-operation-limits.ts';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { persistedOperationId, type PersistedOperations } from './plugins/persisted-operations.ts';
import { useRequestErrors } from './plugins/use-request-errors.ts';
import { useRequestTrace, type ServerContext, type YogaServer } from './plugins/use-request-trace.ts';
import { useSharedSubscriptionResults, type SharedResults } from './plugins/use-shared-subscription-results.ts';

export interface YogaOptions {
  persisted?: PersistedOperations | undefined;
  limitRules: ValidationRule[];
  parserLimits: ParserLimits;
  client: UpstreamClient;
  /** Where subscriptions get their streams. */
  live: LiveRegistry;
  tokens: TokenPolicy;
  log: Logger;
  endpoint: string;
  maskError: (error: unknown, message: string) => Error;
  /** Subscription events executed once for all their subscribers. */
  shared: SharedResults;
  /** Compressed answers (compression.ts); off when it offers no coding. */
  compression: CompressionOptions;
}

export function createYogaServer({ client, live, tokens, log, endpoint, maskError, limitRules, parserLimits, persisted, shared, compression }: YogaOptions): YogaServer {
  return createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: endpoint,
    graphiql: false,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError },
    // WebSocket operations (websocket.ts) come here too, with the connection's credential as headers.
    context: ({ request, trace, address }) =>
      createContext({
        client,
        trace,
        token: upstreamToken(tokens, request.headers),
        log,
        signal: request.signal,
        live: { registry: live, credential: callerToken(request.headers), address },
      }),
    // CORS is answered in front of yoga (cors.ts), for the fast path's answers too.
    cors: false,
    // refuseBody (body-limit.ts) enforces MAX_REQUEST_BYTES before yoga sees the request;
    // yoga's own limiter pipes every body through a stream, measurably slower under load.
    maxRequestBodySize: false,
    // Requests a browser sends cross-site without a preflight (GET, form and text POSTs) must
    // carry x-graphql-csrf; JSON POSTs (the fast path's) always need a preflight anyway.
    plugins: [
      useCSRFPrevention({ requestHeaders: ['x-graphql-csrf'] }),
      useRequestErrors(),
      ...(persisted ? [usePersistedOperationsFrom(persisted)] : []),
      useParserLimits(parserLimits),
      useOperationLimits(limitRules),
      useErrorLog(log),
      useRequestTrace(log),
      useSharedSubscriptionResults(shared),
      // Also with compression off: GET answers' entity tags are set there.
      useCompression(compression),
    ],
  });
}

function usePersistedOperationsFrom({ manifest, mode }: PersistedOperations): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (key) => manifest.get(key) ?? null,
    allowArbitraryOperations: mode === 'mixed',
    // Noted on the request's trace for its operation span: yoga's plugin drops `documentId`
    // from the parameters once it has found the document.
    extractPersistedOperationId: (params, _request, context) => {
      const id = persistedOperationId(params);
      const { trace } = context as unknown as Partial<ServerContext>;
      if (trace !== undefined && id !== null) trace.persistedId = id;
      return id;
    },
  }) as Plugin;
}

export type { YogaServer };
