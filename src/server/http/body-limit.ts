/**
 * The request body cap, enforced before yoga reads a byte: a declared Content-Length above the
 * cap is 413, and a body without one (chunked) is 411, since its size cannot be known up front.
 * Every GraphQL client sends a Content-Length with its POST.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './error-response.ts';
import type { RequestTrace } from '../../context.ts';

/** Answers and returns true when the request must not reach yoga. */
export function refuseBody(req: IncomingMessage, res: ServerResponse, trace: RequestTrace, maxBytes: number): boolean {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (length === undefined && !chunked) return false;
  if (length !== undefined && !chunked && Number(length) <= maxBytes) return false;
  const [status, message] =
    length === undefined
      ? [411, 'A request body needs a Content-Length header.']
      : [413, `The request body is larger than ${maxBytes} bytes.`];
  // The unread body is not worth draining: close the connection after answering.
  sendError(res, trace, status, 'BAD_REQUEST', message, { connection: 'close' });
  req.resume();
  return true;
}
