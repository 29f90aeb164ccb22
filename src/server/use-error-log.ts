/**
 * Logs, with the request id, what a client only sees as a code: the cause of an upstream
 * failure and any unexpected error (which yoga then masks as INTERNAL_SERVER_ERROR).
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.ts';
import { errorForLog } from '../logger.ts';
import { GatewayError } from '../errors.ts';

export function useErrorLog(log: Logger): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result }) {
          if (!('errors' in result) || !result.errors) return;
          const { requestId } = args.contextValue;
          for (const error of result.errors) {
            const original = error.originalError;
            if (original instanceof GatewayError) {
              if (original.code.startsWith('UPSTREAM') || original.cause) {
                log.warn(
                  { requestId, code: original.code, upstream: original.upstream, cause: original.cause === undefined ? undefined : errorForLog(original.cause) },
                  'upstream call failed',
                );
              }
            } else if (original && !(original instanceof GraphQLError)) {
              log.error(
                { requestId, path: error.path?.join('.'), err: errorForLog(original) },
                'unexpected error',
              );
            }
          }
        },
      };
    },
  };
}
