/**
 * Request parameters that are not JSON are the client's mistake: 400 BAD_REQUEST, never a 500.
 * yoga's GET parser lets the SyntaxError of `variables=not json` escape as an unexpected error;
 * this wraps whichever parser yoga picked.
 */
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
  };
}
