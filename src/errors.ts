import { GraphQLError } from 'graphql';

/** The stable error vocabulary of DESIGN.md "Errors"; frontends switch on these. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'INTERNAL_SERVER_ERROR';

/** What the upstream said about a failure, each part only where known (DESIGN.md "Errors"). */
export interface UpstreamInfo {
  errorCode?: string;
  httpStatus?: number;
  requestId?: string;
}

/**
 * The one error class that reaches clients. It is a GraphQLError, so yoga's masking lets it
 * through with its extensions; anything else thrown in a resolver is a bug and gets masked
 * as INTERNAL_SERVER_ERROR. Messages are written for people: short, no upstream text, URL,
 * credential or stack.
 */
export class GatewayError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly upstream?: UpstreamInfo,
  ) {
    super(message, { extensions: upstream ? { code, upstream } : { code } });
    this.name = 'GatewayError';
  }
}

export const badUserInput = (message: string) => new GatewayError('BAD_USER_INPUT', message);

export const unauthenticated = () =>
  new GatewayError(
    'UNAUTHENTICATED',
    'Sign-in required: send an X-Auth-Token header or Authorization: Bearer <token>.',
  );
