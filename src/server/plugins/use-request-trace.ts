/**
 * Ties yoga's answers to the request's trace (server/telemetry.ts): the operation's name once the
 * document parses, the first error's code, the request id in every error's extensions (so a
 * screenshot of an error leads to the log line), and the log line of an unexpected error that
 * yoga masked outside a resolver, before the request id was at hand.
 */
import type { IncomingMessage } from 'node:http';
import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { errorForLog } from '../../logger.ts';
import type { GatewayContext, RequestTrace } from '../../context.ts';
import { maskedCause } from './use-error-log.ts';
import { endOperation, endServer, traceErrorCodes, traceOperation } from '../http/spans.ts';
import { persistedOperationId } from './persisted-operations.ts';
import { logIds } from '../../tracing/api.ts';

/** What the gateway hands yoga with each request. */
export interface ServerContext {
  trace: RequestTrace;
  /** The client's address, for per-caller limits. */
  address?: string | undefined;
}

/** The yoga instance (yoga.ts) as the transports hand it requests: with this server context. */
export type YogaServer = YogaServerInstance<ServerContext, GatewayContext>;

type Params = { operationName?: string | null; query?: string; extensions?: Record<string, unknown> | null };

export function useRequestTrace(log: Logger): Plugin<ServerContext & { params?: Params }> {
  return {
    onParse() {
      return ({ result, context }) => {
        if (!(result instanceof Error) && result !== null) {
          const name = context.params?.operationName ?? undefined;
          const { trace } = context;
          trace.operation = operationName(result as DocumentNode, name);
          const operation = trace.spans === undefined ? undefined : getOperationAST(result as DocumentNode, name);
          if (operation) traceOperation(trace, operation.operation, trace.operation, trace.persistedId ?? (context.params && persistedOperationId(context.params)));
        }
      };
    },
    // Each event of a subscription is a result of its own: its errors get the request id too.
    onSubscribe({ args }) {
      const { trace } = args.contextValue as unknown as ServerContext;
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              if (result.errors?.length) setResult({ ...result, errors: traceErrors(trace, result.errors) });
              // The first event ends the operation's span, and an SSE request's own (a
              // WebSocket's ended at its 101).
              endServer(trace, 200);
            },
          };
        },
      };
    },
    onResultProcess({ result, setResult, serverContext }) {
      const { trace } = serverContext as unknown as ServerContext;
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      if (!result.errors?.length) return endOperation(trace);
      // The node adapter puts the request in the server context: a body cut short by its
      // client fails as an error of ours would, but is none.
      const { req } = serverContext as { req?: IncomingMessage };
      for (const error of result.errors) {
        const cause = maskedCause(error);
        if (cause !== undefined && !(req !== undefined && hungUp(req))) log.error({ requestId: trace.requestId, ...logIds(trace.spans?.operation), error: errorForLog(cause) }, 'unexpected error');
      }
      setResult({ ...result, errors: traceErrors(trace, result.errors) });
      endOperation(trace);
    },
  };
}

/** Whether the client went away before sending its whole request (nothing to log as ours). */
export function hungUp(req: IncomingMessage): boolean {
  return !req.complete && (req.destroyed || req.socket.destroyed);
}

/** The name of the operation a document runs, '' when anonymous, undefined when none is picked. */
export function operationName(document: DocumentNode, name: string | undefined): string | undefined {
  const operation = getOperationAST(document, name);
  return operation ? (operation.name?.value ?? '') : undefined;
}

/** Records the first error's code in the trace, and gives each error the request id. */
export function traceErrors(trace: RequestTrace, errors: readonly GraphQLError[]): GraphQLError[] {
  const code = errors[0]?.extensions?.['code'];
  trace.errorCode = typeof code === 'string' ? code : 'OTHER';
  if (trace.spans !== undefined) traceErrorCodes(trace, errors.map((error) => String(error.extensions?.['code'] ?? 'OTHER')));
  // Copies rather than new keys: yoga caches validation errors across requests. A copy of
  // every property, since graphql-jit's errors carry `locations` without the nodes behind them.
  return errors.map((error) => {
    const extensions = { value: { ...error.extensions, requestId: trace.requestId }, enumerable: true, writable: true, configurable: true };
    return Object.create(Object.getPrototypeOf(error), { ...Object.getOwnPropertyDescriptors(error), extensions }) as GraphQLError;
  });
}

/** An error as yoga writes it: its JSON form without the internal `http` and `unexpected` keys. */
export function publicError(error: GraphQLError) {
  const { extensions: all, ...json } = error.toJSON();
  if (all === undefined) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = all;
  return Object.keys(extensions).length > 0 ? { ...json, extensions } : json;
}
