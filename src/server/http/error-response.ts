/**
 * The answer to a request refused before GraphQL runs (body too large, rate limited, a bug in
 * the handler): a GraphQL response of one error, with its code and the request id, as every
 * other error carries them.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestTrace } from '../../context.ts';

export function sendError(
  res: ServerResponse,
  trace: RequestTrace,
  status: number,
  code: string,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  trace.errorCode = code;
  // Too late for an answer of its own: cut the one under way rather than append to it.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ errors: [{ message, extensions: { code, requestId: trace.requestId } }] });
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
