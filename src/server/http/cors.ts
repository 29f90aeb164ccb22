/**
 * CORS with an allow-list (CORS_ORIGINS), answered in front of both the fast path and yoga so
 * that every response carries the same headers. An origin not on the list gets no CORS
 * headers at all, so a browser keeps the page from reading the answer, and a JSON POST never
 * leaves a foreign page (its preflight is not approved): together with yoga's CSRF
 * prevention, that is what stops cross-site requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsOptions {
  /** Allowed origins, exactly as browsers send them (scheme://host[:port]); '*' allows any. */
  origins: readonly string[];
}

const ALLOWED_HEADERS = 'content-type, accept, authorization, x-auth-token, x-request-id, x-graphql-csrf';

/** Whether a browser page of this origin may call (CORS) or open a WebSocket (websocket.ts). */
export function isOriginAllowed(origin: string, origins: readonly string[]): boolean {
  return origins.includes('*') || origins.includes(origin);
}

/** Sets the CORS headers; answers a preflight itself and returns true then. */
export function applyCors(req: IncomingMessage, res: ServerResponse, { origins }: CorsOptions): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && isOriginAllowed(origin, origins);
  if (origins.length > 0) res.setHeader('vary', 'Origin');
  if (!allowed) return false;
  res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
  res.setHeader('access-control-expose-headers', 'x-request-id');
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
    'content-length': 0,
  });
  res.end();
  return true;
}
