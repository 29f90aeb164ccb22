/**
 * What a fuzz request is, whatever family made it, and the POST and GET shapes most families share,
 * so that a sender and the checks need nothing of how it was generated.
 */

export type Family = 'valid' | 'mutated' | 'absurd' | 'http' | 'headers';

export interface FuzzRequest {
  family: Family;
  /** The sub-case, for grouping failures. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body without Content-Length (chunked transfer encoding). */
  chunked?: boolean;
  /** Raw bytes over a TCP socket instead of a client request (malformed HTTP). */
  raw?: Buffer;
  /** Raw requests the client aborts: closing without an answer is acceptable. */
  mayNotAnswer?: boolean;
}

export function post(family: Family, kind: string, payload: unknown, headers: Record<string, string | string[]>): FuzzRequest {
  return {
    family,
    kind,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  };
}

/** Node refuses a request head over 16 KB (431); only the 'request head over 16 KB' case goes there on purpose. */
const MAX_GET_URL = 8000;

export function getWithParams(family: Family, kind: string, params: Record<string, string>, headers: Record<string, string | string[]>): FuzzRequest {
  const search = new URLSearchParams(params).toString();
  const path = `/graphql${search ? `?${search}` : ''}`;
  if (path.length > MAX_GET_URL) return post(family, kind.replace(/^GET/, 'POST'), params, headers);
  return { family, kind, method: 'GET', path, headers };
}
