/**
 * GraphQL over WebSocket (the graphql-ws protocol, subprotocol graphql-transport-ws) on the
 * gateway's own node:http server, at the GraphQL endpoint. Upgrades are checked first (path,
 * Origin against CORS_ORIGINS, the caller's rate); every operation then runs through yoga's
 * envelop (getEnveloped), so parsing limits, operation limits, masking, the request trace and
 * error codes are the ones queries get. The credential comes from the connection_init payload,
 * or else from the upgrade request's headers (DESIGN.md "Live updates").
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { errorForLog } from '../logger.ts';
import { callerToken } from '../upstream/auth.ts';
import { isOriginAllowed } from './cors.ts';
import { persistedDocument, type PersistedOperations } from './persisted-operations.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RequestTrace, Telemetry } from './telemetry.ts';
import { traceErrors } from './use-request-trace.ts';
import type { YogaServer } from './yoga.ts';

export interface WebSocketOptions {
  server: Server;
  endpoint: string;
  getYoga(): Promise<YogaServer>;
  log: Logger;
  telemetry: Telemetry;
  /** CORS_ORIGINS: an upgrade from any other Origin is refused with 403; no Origin is allowed. */
  corsOrigins: readonly string[];
  limiter: RateLimiter;
  /** The largest message accepted (MAX_REQUEST_BYTES). */
  maxPayload: number;
  persisted?: PersistedOperations | undefined;
}

export interface WebSocketFront {
  /** Closes every connection with 1001 (going away), so that clients reconnect elsewhere. */
  close(): Promise<void>;
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

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachWebSocket(options: WebSocketOptions): WebSocketFront {
  const { server, endpoint, getYoga, log, telemetry, corsOrigins, limiter, persisted } = options;
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

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== endpoint) return refuse(socket, 404, 'Not Found');
    // Cross-site WebSocket hijacking: a foreign page's browser sends its Origin. Native apps send none.
    if (req.headers.origin !== undefined && !isOriginAllowed(req.headers.origin, corsOrigins)) return refuse(socket, 403, 'Forbidden');
    const upgrade = (wait: number) => {
      if (wait > 0) return refuse(socket, 429, 'Too Many Requests');
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    };
    const wait = limiter.take(callerToken(credentialHeaders(undefined, req)), req.socket.remoteAddress);
    if (typeof wait === 'number') upgrade(wait);
    else void wait.then(upgrade);
  });

  useServer<Record<string, unknown> | undefined>(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, id, payload) => {
        const { request } = ctx.extra;
        const headers = credentialHeaders(ctx.connectionParams, request);
        const requestId = randomUUID();
        const operation = { ...telemetry.beginOperation(requestId, 'WS', endpoint), abort: new AbortController() };
        operationsOf(ctx).set(id, operation);
        // graphql-ws answers these with an error message and calls no onComplete.
        const refused = (errors: readonly GraphQLError[]) => {
          const traced = traceErrors(operation.trace, errors);
          finish(ctx, id, false);
          return traced;
        };
        if ((await limiter.take(callerToken(headers), request.socket.remoteAddress)) > 0) {
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
          address: request.socket.remoteAddress,
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

  return {
    async close() {
      for (const ws of wss.clients) ws.close(1001, 'Going away');
      // A client that does not answer the closing handshake is cut after a moment.
      const deadline = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
