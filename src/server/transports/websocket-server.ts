/**
 * The graphql-ws server behind websocket.ts, loaded on the first WebSocket upgrade: ws and
 * graphql-ws cost start-up time that a gateway serving only HTTP never needs to pay. Every
 * operation runs through yoga's envelop (getEnveloped), so parsing limits, operation limits,
 * masking, the request trace and error codes are the ones queries get. The credential comes
 * from the connection_init payload, or else from the upgrade request's headers (DESIGN.md
 * "Live updates").
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { errorForLog } from '../../logger.ts';
import { callerToken } from '../../upstream/auth.ts';
import { persistedDocument } from '../plugins/persisted-operations.ts';
import type { RequestTrace } from '../../context.ts';
import type { RequestSpans } from '../../tracing/api.ts';
import { traceErrors } from '../plugins/use-request-trace.ts';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { RateLimiter } from '../../upstream/rate-limit.ts';
import type { PersistedOperations } from '../plugins/persisted-operations.ts';
import type { YogaServer } from '../plugins/use-request-trace.ts';

export interface WebSocketOptions {
  server: Server;
  endpoint: string;
  getYoga(): Promise<YogaServer>;
  log: Logger;
  /** A trace per operation (server/telemetry.ts): its log line and metrics follow end(). */
  telemetry: { beginOperation(requestId: string, method: string, path: string): { trace: RequestTrace; end(aborted: boolean): void } };
  /** CORS_ORIGINS: an upgrade from any other Origin is refused with 403; no Origin is allowed. */
  corsOrigins: readonly string[];
  limiter: RateLimiter;
  /** The client address of an upgrade request, read once as it was admitted (websocket.ts). */
  addressOf(request: IncomingMessage): string | undefined;
  /** The spans of the upgrade that opened a socket, when tracing is on (websocket.ts). */
  upgradeSpansOf(request: IncomingMessage): RequestSpans | undefined;
  /** The largest message accepted (MAX_REQUEST_BYTES). */
  maxPayload: number;
  persisted?: PersistedOperations | undefined;
}

interface Operation {
  trace: RequestTrace;
  end(aborted: boolean): void;
  /** Aborts the operation's upstream calls and ends its stream. */
  abort: AbortController;
}

/**
 * The header reader the context expects: the connection_init payload's credential when it has
 * one (keys in any case, as clients spell them variously), else the upgrade request's headers.
 */
function credentialHeaders(payload: Record<string, unknown> | undefined, request: IncomingMessage) {
  const fromInit = new Map<string, string>();
  for (const [key, value] of Object.entries(payload ?? {})) {
    const name = key.toLowerCase();
    if ((name === 'x-auth-token' || name === 'authorization') && typeof value === 'string') fromInit.set(name, value);
  }
  return {
    get(name: string): string | null {
      const value = fromInit.size > 0 ? fromInit.get(name) : request.headers[name];
      return typeof value === 'string' ? value : null;
    },
  };
}

export function createWebSocketServer(options: WebSocketOptions): WebSocketServer {
  const { endpoint, getYoga, log, telemetry, limiter, persisted, addressOf, upgradeSpansOf } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  // Each operation's trace ends when the operation completes, is refused, or its socket closes.
  const operations = new WeakMap<object, Map<string, Operation>>();
  const operationsOf = (ctx: object) => {
    let map = operations.get(ctx);
    if (map === undefined) operations.set(ctx, (map = new Map()));
    return map;
  };

  function finish(ctx: object, id: string, aborted: boolean) {
    const operation = operations.get(ctx)?.get(id);
    if (operation === undefined) return;
    operations.get(ctx)?.delete(id);
    operation.abort.abort();
    operation.end(aborted);
  }

  useServer<Record<string, unknown> | undefined>(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, id, payload) => {
        const { request } = ctx.extra;
        const headers = credentialHeaders(ctx.connectionParams, request);
        const address = addressOf(request);
        const requestId = randomUUID();
        const operation = { ...telemetry.beginOperation(requestId, 'WS', endpoint), abort: new AbortController() };
        operation.trace.remote = address;
        // Its operation span goes under the upgrade's (use-request-trace.ts opens it once parsed).
        const upgrade = upgradeSpansOf(request);
        if (upgrade !== undefined) operation.trace.spans = { tracer: upgrade.tracer, server: upgrade.server, operation: undefined };
        operationsOf(ctx).set(id, operation);
        // graphql-ws answers these with an error message and calls no onComplete.
        const refused = (errors: readonly GraphQLError[]) => {
          const traced = traceErrors(operation.trace, errors);
          finish(ctx, id, false);
          return traced;
        };
        if ((await limiter.take(callerToken(headers), address)) > 0) {
          return refused([new GraphQLError('Too many requests: try again in a moment.', { extensions: { code: 'RATE_LIMITED' } })]);
        }
        let query: string;
        try {
          query = persisted ? persistedDocument(payload, persisted) : payload.query;
        } catch (err) {
          return refused([err as GraphQLError]);
        }
        const params = { query, operationName: payload.operationName ?? undefined, variables: payload.variables ?? undefined, extensions: payload.extensions ?? undefined };
        const yoga = await getYoga();
        const enveloped = yoga.getEnveloped({
          request: { headers, signal: operation.abort.signal },
          trace: operation.trace,
          address,
          params,
        } as never);
        let document;
        try {
          document = enveloped.parse(query);
        } catch (err) {
          if (err instanceof GraphQLError) return refused([err]);
          throw err;
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return refused(errors);
        return {
          schema: enveloped.schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      // Errors of subscription events carry the request id already (use-request-trace.ts); a query's do not.
      onNext: (ctx, id, _payload, _args, result) => {
        const operation = operations.get(ctx)?.get(id);
        if (operation === undefined || !result.errors?.some((e) => e.extensions?.['requestId'] === undefined)) return;
        return { ...result, errors: traceErrors(operation.trace, result.errors).map((e) => e.toJSON()) };
      },
      onComplete: (ctx, id) => finish(ctx, id, false),
      onClose: (ctx) => {
        for (const id of [...(operations.get(ctx)?.keys() ?? [])]) finish(ctx, id, true);
      },
    },
    wss,
  );

  wss.on('error', (err) => log.warn({ error: errorForLog(err) }, 'websocket server error'));

  return wss;
}
