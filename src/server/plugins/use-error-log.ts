/**
 * Logs, with the request id, what a client only sees as a code: the cause of an upstream
 * failure and any unexpected error (which yoga then masks as INTERNAL_SERVER_ERROR).
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext, RequestTrace } from '../../context.ts';
import { logIds } from '../../tracing/api.ts';
import { errorForLog } from '../../logger.ts';
import { GatewayError } from '../../errors.ts';

export function useErrorLog(log: Logger): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result }) {
          // yoga's context holds the server context the transports hand it, the trace among it.
          const { trace } = args.contextValue as unknown as { trace: RequestTrace };
          if ('errors' in result && result.errors) logExecutionErrors(log, trace, result.errors);
        },
      };
    },
  };
}

/** The log lines for the errors of one execution (also used by the fast path). */
export function logExecutionErrors(log: Logger, trace: RequestTrace, errors: readonly GraphQLError[]): void {
  const { requestId } = trace;
  // The operation's span ids, so that the line and the trace find each other.
  const ids = logIds(trace.spans?.operation);
  for (const error of errors) {
    const original = error.originalError;
    if (original instanceof GatewayError) {
      if (original.code.startsWith('UPSTREAM') || original.cause) {
        const cause = original.cause === undefined ? undefined : errorForLog(original.cause);
        log.warn({ requestId, ...ids, code: original.code, upstream: original.upstream, cause }, 'upstream call failed');
      }
    } else if (original && !(original instanceof GraphQLError)) {
      log.error({ requestId, ...ids, path: error.path?.join('.'), error: errorForLog(original) }, 'unexpected error');
    }
  }
}

// The cause of each error masked outside a resolver, where the request id is not at hand:
// useRequestTrace logs it once the answer is tied to its request.
const maskedCauses = new WeakMap<Error, unknown>();

/** What an unexpected error outside a resolver hid, if `error` is one createMaskError made. */
export const maskedCause = (error: unknown): unknown =>
  error instanceof Error ? maskedCauses.get(error) : undefined;

/**
 * yoga's masking step, the single place where errors become what a client sees: anything that
 * is not a GraphQLError is a bug, masked as INTERNAL_SERVER_ERROR (and logged with the request
 * id: by useErrorLog when it happened in a resolver, by useRequestTrace otherwise). yoga's own
 * request errors keep only the name of their `originalError`, whose message echoes parser
 * internals.
 */
export function createMaskError() {
  return (error: unknown, message: string): Error => {
    const masked = maskUnexpected(error, message);
    if (masked !== error) {
      const inResolver = error instanceof GraphQLError && error.path !== undefined;
      if (!inResolver) maskedCauses.set(masked, error instanceof GraphQLError ? (error.originalError ?? error) : error);
      return masked;
    }
    // Keep the key but not the text: yoga answers 400 rather than 200 to a request error
    // because `originalError` is there (result-processor/regular.js).
    const original = error instanceof GraphQLError ? error.extensions?.originalError : undefined;
    if (original !== undefined && typeof original === 'object' && original !== null && 'message' in original) {
      (error as GraphQLError).extensions.originalError = { name: (original as { name?: unknown }).name };
    }
    return masked;
  };
}

/**
 * What yoga's maskError does with isDev off (graphql-yoga utils/mask-error.js), written here so
 * the fast path does not load yoga: original GraphQL errors pass; anything else becomes
 * INTERNAL_SERVER_ERROR, keeping only where it happened (and yoga's internal HTTP hints).
 */
function maskUnexpected(error: unknown, message: string): Error {
  if (isOriginalGraphQLError(error)) return error;
  const extensions: Record<string, unknown> = { code: 'INTERNAL_SERVER_ERROR', unexpected: true };
  if (!(error instanceof GraphQLError)) return new GraphQLError(message, { extensions });
  // graphql-jit's errors pass instanceof GraphQLError but may lack extensions.
  if (error.extensions?.['http'] !== undefined) extensions['http'] = error.extensions['http'];
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}

function isOriginalGraphQLError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOriginalGraphQLError(error.originalError);
}
