// Writing one answer, whole or deliberately cut short.
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  if (!options.truncate) {
    res.end(payload);
    return;
  }
  // Content-Length still announces the whole body, so the client sees a premature close
  // rather than a short but complete message.
  res.flushHeaders();
  const half = payload.subarray(0, payload.length >> 1);
  const cut = (): void => {
    res.destroy();
  };
  if (half.length > 0) res.write(half, cut);
  else setImmediate(cut);
}

/** Reset: no status line at all, the connection just dies. */
export function reset(req: IncomingMessage): void {
  req.socket.destroy();
}
