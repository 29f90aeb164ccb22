// The request log: what arrived, byte-faithful where it matters for signing and query tests.
import type { IncomingMessage } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** raw path as received, e.g. /v1/abc/training-jobs */
  path: string;
  /** raw query string without '?', exactly as received ('' if none) */
  query: string;
  /** decoded query pairs in order received (new URLSearchParams(query)) */
  params: Array<[string, string]>;
  /** lower-case names -> values as received (joined with ', ' if repeated) */
  headers: Record<string, string>;
  /** The body as UTF-8, exactly as received (v2's POST); undefined when none was sent. */
  body?: string;
  /**
   * Set to true when the client closed the connection before the answer was completely written
   * (during a delay, mid-trickle...). Left unset when the emulator cut the answer itself (reset,
   * truncate, down, close), so a test can tell a cancelling client from an injected failure.
   */
  aborted?: boolean;
}

export function recordRequest(req: IncomingMessage): RecordedRequest {
  const url = req.url ?? '';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? '' : url.slice(mark + 1);
  // rawHeaders, not req.headers: Node drops duplicates of some headers and joins cookies with
  // '; ', while the log promises every value as sent.
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const seen = headers[name];
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  // URLSearchParams never throws, even on malformed percent-encoding, so logging cannot fail.
  return { method: req.method ?? '', path, query, params: [...new URLSearchParams(query)], headers };
}
