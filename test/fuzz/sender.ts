/**
 * Sending one request and reading what comes back, over node:http or, for malformed HTTP, a raw
 * socket, with the deadlines that turn a hang into an answer the checks can report.
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { FuzzRequest } from './requests.ts';

export const CONCURRENCY = 16;
/** Silence this long is a hang. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** So is an answer still coming after this long, however steadily its bytes trickle in. */
export const REQUEST_DEADLINE_MS = 30_000;
/**
 * A subscription's stream (SSE, multipart) lasts as long as its client stays, and its keep-alive
 * pings (every 12 s) never let it go quiet: read it this long, then hang up as a browser would.
 */
export const STREAM_READ_MS = 2_000;

export interface Outcome {
  /** An HTTP status, or what went wrong on the wire. */
  status: number | 'timeout' | 'error' | 'no answer';
  contentType: string;
  body: Buffer;
  error?: string;
  /** The answer's X-Request-Id: the gateway's log lines carry it. */
  requestId?: string;
  /** A stream the client hung up on after STREAM_READ_MS (the body is what came until then). */
  streamCut?: boolean;
}

export function sendHttp(url: URL, agent: Agent, req: FuzzRequest, retry = true): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let requestId: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(requestId === undefined || outcome.requestId !== undefined ? outcome : { ...outcome, requestId });
    };
    /** Ends the request from this side; never once settled, when the socket may serve another. */
    const hangUp = (outcome: () => Outcome) => {
      if (settled) return;
      finish(outcome());
      client.destroy();
    };
    const headers: Record<string, string | string[]> = { ...req.headers };
    if (req.body && !req.chunked) headers['content-length'] = String(req.body.length);
    let status: number | undefined;
    let contentType = '';
    const chunks: Buffer[] = [];
    const client = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        status = res.statusCode ?? 0;
        contentType = String(res.headers['content-type'] ?? '');
        if (typeof res.headers['x-request-id'] === 'string') requestId = res.headers['x-request-id'];
        if (/^(text\/event-stream|multipart\/mixed)/i.test(contentType)) {
          timers.push(setTimeout(() => hangUp(() => ({ status: status ?? 0, contentType, body: Buffer.concat(chunks), streamCut: true })), STREAM_READ_MS));
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => finish({ status: status ?? 0, contentType, body: Buffer.concat(chunks) }));
        res.on('error', (err) => finish({ status: 'error', contentType, body: Buffer.concat(chunks), error: `response: ${err.message}` }));
      },
    );
    client.setTimeout(REQUEST_TIMEOUT_MS, () => hangUp(() => ({ status: 'timeout', contentType, body: Buffer.concat(chunks) })));
    // The idle timeout starts only once the agent hands out a socket, and bytes reset it.
    timers.push(setTimeout(() => hangUp(() => ({ status: 'timeout', contentType, body: Buffer.concat(chunks), error: `still going after ${REQUEST_DEADLINE_MS} ms` })), REQUEST_DEADLINE_MS));
    client.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && client.reusedSocket && err.code === 'ECONNRESET' && status === undefined) {
        void sendHttp(url, agent, req, false).then(finish);
      } else if (status !== undefined && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) {
        // The server answered before reading the whole body, then closed: the answer counts.
        finish({ status, contentType, body: Buffer.concat(chunks) });
      } else {
        finish({ status: 'error', contentType, body: Buffer.concat(chunks), error: `${err.code ?? ''} ${err.message}` });
      }
    });
    if (req.body && req.chunked) {
      const step = Math.max(1, Math.ceil(req.body.length / 4));
      for (let at = 0; at < req.body.length; at += step) client.write(req.body.subarray(at, at + step));
      client.end();
    } else {
      client.end(req.body);
    }
  });
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseRaw(all: Buffer): Outcome {
  // Skip interim answers (100 Continue): the final one counts.
  let data = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1')) && data.indexOf('\r\n\r\n') >= 0) {
    data = data.subarray(data.indexOf('\r\n\r\n') + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end < 0 ? data.length : end).toString('latin1');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!match) return { status: 'error', contentType: '', body: data, error: `not an HTTP response: ${JSON.stringify(head.slice(0, 80))}` };
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (/chunked/i.test(field('transfer-encoding') ?? '')) body = decodeChunked(body);
  else if (field('content-length') !== undefined) body = body.subarray(0, Number(field('content-length')));
  const requestId = field('x-request-id');
  return { status: Number(match[1]), contentType: field('content-type') ?? '', body, ...(requestId ? { requestId } : {}) };
}

export function sendRaw(url: URL, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(
      () => finish(chunks.length > 0 ? parseRaw(Buffer.concat(chunks)) : { status: 'timeout', contentType: '', body: Buffer.alloc(0), error: `still going after ${REQUEST_DEADLINE_MS} ms` }),
      REQUEST_DEADLINE_MS,
    );
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(req.raw ?? Buffer.alloc(0));
      if (req.mayNotAnswer) socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      if (chunks.length > 0) finish(parseRaw(Buffer.concat(chunks)));
      else finish({ status: req.mayNotAnswer ? 'no answer' : 'error', contentType: '', body: Buffer.alloc(0), error: err.message });
    });
    socket.on('close', () => {
      if (chunks.length > 0) finish(parseRaw(Buffer.concat(chunks)));
      else finish({ status: 'no answer', contentType: '', body: Buffer.alloc(0) });
    });
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
      finish(chunks.length > 0 ? parseRaw(Buffer.concat(chunks)) : { status: 'timeout', contentType: '', body: Buffer.alloc(0) });
    });
  });
}
