/**
 * Requests yoga refuses carry a code like every other error (DESIGN.md "Errors", "Edges").
 * Request parameters that are not JSON are the client's mistake: 400 BAD_REQUEST, never a 500.
 * yoga's GET parser lets the SyntaxError of `variables=not json` escape as an unexpected error;
 * this wraps whichever parser yoga picked. And a refusal yoga phrases with an HTTP status but no
 * code (the CSRF prevention's 403, the one such today) gets BAD_REQUEST, keeping its status.
 */
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export function useRequestErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser === undefined) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
          throw createGraphQLError('The request parameters are not valid JSON.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
    // A plugin before this one refused the request by throwing: its error reaches only here.
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result || !result.errors?.some(uncodedRefusal)) return;
      setResult({ ...result, errors: result.errors.map((error) => (uncodedRefusal(error) ? coded(error) : error)) });
    },
  };
}

/** A request refused with a 4xx and no code. */
function uncodedRefusal(error: GraphQLError): boolean {
  const status = (error.extensions?.['http'] as { status?: unknown } | undefined)?.status;
  return error.extensions?.['code'] === undefined && typeof status === 'number' && status >= 400 && status < 500;
}

const coded = (error: GraphQLError) =>
  new GraphQLError(error.message, { extensions: { ...error.extensions, code: 'BAD_REQUEST' } });
