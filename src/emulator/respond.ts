// Writing one answer: whole, slowly (trickled), or deliberately cut short.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Trickle } from './faults.ts';
import type { Timers } from './timers.ts';
import { JSON_CONTENT_TYPE } from './wire.ts';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface SendOptions {
  requestId: string;
  /** Fault headers; they win over every default. */
  extraHeaders: Record<string, string>;
  truncate: boolean;
  /** null = write the body at once */
  trickle: Trickle | null;
  /** where the trickle's timers are registered, so close() and down() can cancel them */
  timers: Timers;
}

export function send(res: ServerResponse, answer: Answer, options: SendOptions): void {
  if (res.destroyed || res.headersSent) return; // the client left during a delay, or close() ran
  const payload = Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string> = {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': String(payload.length),
    'x-request-id': options.requestId,
    ...answer.headers,
    ...options.extraHeaders,
  };
  res.writeHead(answer.status, headers);
  // Content-Length still announces the whole body when truncating, so the client sees a
  // premature close rather than a short but complete message.
  const body = options.truncate ? payload.subarray(0, payload.length >> 1) : payload;
  if (options.trickle !== null) return trickle(res, body, options.trickle, options.timers, options.truncate);
  if (options.truncate) res.flushHeaders();
  finish(res, body, options.truncate);
}

/** Writes the last piece of a body, then ends the answer or, for a truncated one, kills the socket. */
function finish(res: ServerResponse, last: Buffer, truncate: boolean): void {
  if (!truncate) {
    res.end(last);
    return;
  }
  const cut = (): void => {
    res.destroy();
  };
  if (last.length > 0) res.write(last, cut);
  else setImmediate(cut);
}

/**
 * Headers now, then one chunk at once and one more every `intervalMs`. The chain stops for good
 * when the response closes (client gone, emulator down): every step checks `res.destroyed`, and
 * the pending timer is cancelled, so nothing is written to a dead socket.
 */
function trickle(res: ServerResponse, body: Buffer, { chunkBytes, intervalMs }: Trickle, timers: Timers, truncate: boolean): void {
  res.flushHeaders();
  let offset = 0;
  let cancel: (() => void) | undefined;
  res.once('close', () => cancel?.());
  const step = (): void => {
    cancel = undefined;
    if (res.destroyed || res.writableEnded) return;
    const chunk = body.subarray(offset, offset + chunkBytes);
    offset += chunk.length;
    if (offset >= body.length) return finish(res, chunk, truncate);
    res.write(chunk);
    cancel = timers.later(intervalMs, step);
  };
  step();
}

/** Reset: no status line at all, the connection just dies. */
export function reset(req: IncomingMessage): void {
  req.socket.destroy();
}
