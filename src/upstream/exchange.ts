/**
 * One request (v1's GET, v2's POST) over an undici dispatcher, its body read whole into a
 * string, through undici's handler API rather than `request()`. The profile of a perPage 10
 * load put a tenth of the gateway's time into what `request()` adds around a body this small:
 * a Readable for the body,
 * an async iterator over it, and two AbortSignals per call (ours and the one undici listens to).
 * Here the body is collected chunk by chunk, and the caller stops the exchange through the
 * function it gets from `onStop`, with no signal at all.
 */
import type { Dispatcher } from 'undici';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8, or undefined when it was larger than allowed (reading then stopped). */
  text: string | undefined;
}

/** Rejects an exchange the caller stopped; the caller knows why. */
export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

const TOO_LARGE = new Error('body too large');

/**
 * Sends the request; `onStop` receives the function that ends it at once (rejecting with
 * StoppedError), whether it waits for a connection, for headers or for the body.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string | undefined },
  maxBodyBytes: number,
  onStop: (stop: () => void) => void,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let stopped = false;
    let status = 0;
    let headers: Exchange['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;

    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    // Settled first: undici reports the abort to onResponseError before abort() returns.
    const tooLarge = (c: Dispatcher.DispatchController) => {
      settle(() => resolve({ status, headers, text: undefined }));
      c.abort(TOO_LARGE);
    };
    const abort = (reason: Error) => {
      if (controller !== undefined && !controller.aborted) controller.abort(reason);
    };
    onStop(() => {
      stopped = true;
      settle(() => reject(new StoppedError()));
      // Not connected yet: it is aborted the moment it is (onRequestStart).
      abort(new StoppedError());
    });

    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        if (stopped) c.abort(new StoppedError());
      },
      onResponseStart(c, statusCode, responseHeaders) {
        // 1xx answers come before the real one.
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders as Exchange['headers'];
        // Refuse an announced oversize body before reading a byte of it.
        if (Number(responseHeaders['content-length'] ?? 0) > maxBodyBytes) tooLarge(c);
      },
      onResponseData(c, chunk) {
        size += chunk.length;
        if (size > maxBodyBytes) return tooLarge(c);
        chunks.push(chunk);
      },
      onResponseEnd() {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        settle(() => resolve({ status, headers, text: body.toString('utf8') }));
      },
      onResponseError(_c, error) {
        settle(() => reject(error));
      },
    });
  });
}
