/**
 * The one place where an upstream outcome becomes a DESIGN.md error code
 * (DESIGN.md "Error classes by status"; UPSTREAM.md "Errors": the HTTP status, not the
 * body's code, decides the class, because one code appears under several statuses).
 */
import { GatewayError, type ErrorCode, type UpstreamInfo } from '../errors.ts';
import { toWireError } from './mapping.ts';

const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: ['BAD_USER_INPUT', 'The training-jobs service rejected the request parameters.'],
  401: ['UNAUTHENTICATED', 'The training-jobs service rejected the credentials: sign in again.'],
  403: ['FORBIDDEN', 'You are not allowed to list training jobs in this project.'],
  404: ['NOT_FOUND', 'The project or workspace was not found.'],
  408: ['UPSTREAM_TIMEOUT', 'The training-jobs service did not answer in time.'],
  429: ['RATE_LIMITED', 'Too many requests to the training-jobs service: try again shortly.'],
  502: ['UPSTREAM_UNAVAILABLE', 'The training-jobs service is unavailable: try again shortly.'],
  503: ['UPSTREAM_UNAVAILABLE', 'The training-jobs service is unavailable: try again shortly.'],
  504: ['UPSTREAM_UNAVAILABLE', 'The training-jobs service is unavailable: try again shortly.'],
};

const UNEXPECTED: [ErrorCode, string] = ['UPSTREAM_ERROR', 'The training-jobs service failed to answer properly.'];

// Upstream codes and request ids are shown to clients, so only plain tokens pass:
// whatever else an upstream (or an impostor) puts there never reaches a screen.
const SAFE_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
const safe = (v: string | undefined) => (v !== undefined && SAFE_TOKEN.test(v) ? v : undefined);

export function upstreamInfo(httpStatus: number | undefined, body: unknown, headerRequestId?: string): UpstreamInfo {
  const wire = toWireError(body);
  const info: UpstreamInfo = {};
  const errorCode = safe(wire.error_code);
  const requestId = safe(wire.request_id) ?? safe(headerRequestId);
  if (errorCode !== undefined) info.errorCode = errorCode;
  if (httpStatus !== undefined) info.httpStatus = httpStatus;
  if (requestId !== undefined) info.requestId = requestId;
  return info;
}

/** An answer that is not a page: a non-2xx status, or a 2xx whose body is not the documented shape. */
export function classifyResponse(httpStatus: number, body: unknown, headerRequestId?: string): GatewayError {
  const [code, message] = BY_STATUS[httpStatus] ?? UNEXPECTED;
  return new GatewayError(code, message, upstreamInfo(httpStatus, body, headerRequestId));
}

export const timeoutError = () =>
  new GatewayError('UPSTREAM_TIMEOUT', 'The training-jobs service did not answer in time.');

/** The breaker is open: the upstream failed repeatedly, so it is not called for a moment. */
export const circuitOpenError = () =>
  new GatewayError('UPSTREAM_UNAVAILABLE', 'The training-jobs service is unavailable: try again shortly.');

/** The client went away; nobody reads this, but it must not count as an upstream failure. */
export const cancelledError = () => new GatewayError('UPSTREAM_ERROR', 'The request was cancelled.');

export const unavailableError = () =>
  new GatewayError('UPSTREAM_UNAVAILABLE', 'The training-jobs service is unavailable: try again shortly.');

export const tooLargeError = (httpStatus: number, headerRequestId?: string) =>
  new GatewayError('UPSTREAM_ERROR', 'The training-jobs service sent an answer too large to read.', upstreamInfo(httpStatus, undefined, headerRequestId));
