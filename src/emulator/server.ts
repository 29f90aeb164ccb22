// The emulator's HTTP server: GET /v1/{project_id}/training-jobs as the seed describes it and
// POST /v2/{project_id}/training-job-searches from the same data, plus a request log and
// programmable faults for tests. Nothing happens on import; createEmulator builds,
// listen binds.
import { isUtf8 } from 'node:buffer';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { defaultJobs } from './dataset.ts';
import type { EmulatorJob } from './dataset.ts';
import { createFaultSlot } from './faults.ts';
import type { Fault } from './faults.ts';
import { manageServer } from './lifecycle.ts';
import { createJobIndex } from './listing.ts';
import { createMovingIndex, motionProblems } from './moving-index.ts';
import type { Motion } from './moving-index.ts';
import { recordRequest } from './record.ts';
import type { RecordedRequest } from './record.ts';
import { reset, send } from './respond.ts';
import type { Answer } from './respond.ts';
import { answer, fail, faultAnswer } from './route.ts';
import { searchParams, type OffsetReading } from './search.ts';
import type { Settings } from './route.ts';
import { createTimers } from './timers.ts';
import { errorBody, JSON_CONTENT_TYPE, newRequestId } from './wire.ts';

export interface EmulatorOptions {
  /** Default defaultJobs(). Copied at creation; jobs must not be mutated afterwards (their JSON is cached). */
  jobs?: EmulatorJob[];
  /** When set, any other project id answers 404 ModelArts.2786 (with a request_id). Default: any. */
  projectId?: string;
  /** When set, only these X-Auth-Token values are accepted (others 401 APIGW.0301). Default: any non-empty token. */
  tokens?: string[];
  /** job_count_limit in the response; default 3; null omits the key. */
  jobCountLimit?: number | null;
  /** quotas in the response; default 5; null omits the key. */
  quotas?: number | null;
  /**
   * Verify requests whose Authorization starts with 'SDK-HMAC-SHA256 ' against this key pair
   * (aksk.ts): a wrong AK or signature, an X-Sdk-Date missing, malformed or more than 15 min
   * off, or a query not sent in canonical order and encoding answers 401 APIGW.0301.
   * Default: such requests are accepted unchecked.
   */
  aksk?: { ak: string; sk: string };
  /**
   * Seam for other AK/SK checks, run instead of the `aksk` one when both are given: called for
   * requests whose Authorization starts with 'SDK-HMAC-SHA256 '; false answers 401 APIGW.0301.
   */
  verifySignature?: (request: RecordedRequest) => boolean;
  /** Keep the request log; default true. Long benchmarks may turn it off to keep memory flat. */
  logRequests?: boolean;
  /**
   * How the v2 route (POST /v2/{project_id}/training-job-searches) reads `offset`: `page`, a
   * 0-based page index (default), or `record`, the first job's index (UPSTREAM.md "v2").
   */
  v2Offset?: OffsetReading;
  /**
   * Data that moves with a clock: running jobs' durations grow and every `stepMs` one job moves
   * WAITING -> RUNNING -> COMPLETED or FAILED, as jobsAt() computes it. Default: static data.
   */
  motion?: Motion;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:34567; throws before listen */
  readonly url: string;
  readonly port: number;
  /** every request received, including faulted and rejected ones, in arrival order */
  readonly requests: RecordedRequest[];
  /**
   * Requests whose answer was completely written (Node's 'finish'), as opposed to merely
   * received. Counted when the last byte leaves for the kernel, which for a large body can be a
   * moment after the client has read it: poll rather than read it right after a response.
   * Reset by clearRequests().
   */
  readonly answered: number;
  /** currently open client sockets, idle keep-alive ones included */
  readonly connections: number;
  /** The most requests in flight at once (received, answer not yet closed); reset by clearRequests(). */
  readonly peakInFlight: number;
  clearRequests(): void;
  /** null clears */
  setFault(fault: Fault | readonly Fault[] | null): void;
  /** default port 0 and host 127.0.0.1 */
  listen(port?: number, host?: string): Promise<Emulator>;
  /**
   * Stops listening and destroys every open connection, cancelling pending delays and trickles,
   * so that new connections are refused until up(). No-op when already down or not yet listening.
   */
  down(): Promise<void>;
  /** Listens again on the host and port of the last listen(). No-op when up; rejects before listen() or after close(). */
  up(): Promise<void>;
  /** closes the server and destroys open keep-alive sockets; works whether up or down */
  close(): Promise<void>;
}

function checkOptions(options: EmulatorOptions): void {
  const problems: string[] = [];
  if (options.projectId !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(options.projectId)) {
    problems.push('projectId must be 1-64 letters, digits or hyphens');
  }
  if (options.tokens?.some((token) => token.trim() === '')) problems.push('tokens must be non-empty strings');
  const { aksk } = options;
  if (aksk !== undefined && !(typeof aksk.ak === 'string' && aksk.ak !== '' && typeof aksk.sk === 'string' && aksk.sk !== '')) {
    problems.push('aksk needs a non-empty ak and sk');
  }
  for (const key of ['jobCountLimit', 'quotas'] as const) {
    const value = options[key];
    if (value !== undefined && value !== null && !Number.isInteger(value)) problems.push(`${key} must be an integer or null`);
  }
  if (options.motion !== undefined) problems.push(...motionProblems(options.motion));
  if (options.v2Offset !== undefined && options.v2Offset !== 'page' && options.v2Offset !== 'record') problems.push("v2Offset must be 'page' or 'record'");
  if (problems.length > 0) throw new TypeError(`createEmulator: ${problems.join('; ')}`);
}

/** The largest request body read; v2's search bodies are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  checkOptions(options);
  const jobs = options.jobs ?? defaultJobs();
  const settings: Settings = {
    index: options.motion === undefined ? createJobIndex(jobs) : createMovingIndex(jobs, options.motion),
    projectId: options.projectId,
    tokens: options.tokens === undefined ? undefined : new Set(options.tokens),
    jobCountLimit: options.jobCountLimit === undefined ? 3 : options.jobCountLimit,
    quotas: options.quotas === undefined ? 5 : options.quotas,
    verifySignature: options.verifySignature,
    // A copy, so that a caller changing its object later cannot change what is verified.
    aksk: options.aksk === undefined ? undefined : { ak: options.aksk.ak, sk: options.aksk.sk },
    v2Offset: options.v2Offset ?? 'page',
  };
  const logRequests = options.logRequests ?? true;
  const requests: RecordedRequest[] = [];
  const faults = createFaultSlot();
  const timers = createTimers();
  let answered = 0;
  let peakInFlight = 0;
  const inflight = new Set<ServerResponse>();
  // Answers the emulator itself cut (reset, truncate, down, close): their requests are not
  // marked aborted, which is reserved for clients that went away.
  const severed = new WeakSet<ServerResponse>();

  /** Reads a request's body (v2's POST) before it is answered; a GET has none to wait for. */
  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' || req.method === 'HEAD') return answerRequest(req, res, undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return answerRequest(req, res, null);
      const raw = Buffer.concat(chunks);
      // Signatures hash bytes: a body that is not UTF-8 would verify as its decoded text, so it is refused.
      answerRequest(req, res, isUtf8(raw) ? raw.toString('utf8') : false);
    });
    req.on('error', () => req.destroy());
  }

  /** `body`: as received; null when it was larger than the emulator reads, false when not UTF-8. */
  function answerRequest(req: IncomingMessage, res: ServerResponse, body: string | null | false | undefined): void {
    const requestId = newRequestId();
    const request = recordRequest(req);
    if (typeof body === 'string') request.body = body;
    if (logRequests) requests.push(request);
    inflight.add(res);
    peakInFlight = Math.max(peakInFlight, inflight.size);
    res.once('finish', () => void answered++);
    res.once('close', () => {
      inflight.delete(res);
      if (!res.writableFinished && !severed.has(res)) request.aborted = true;
    });
    if (body === null || body === false) {
      const refused = body === null ? fail(413, 'modelarts', 'ModelArts.0101', 'Request body too large', requestId) : fail(400, 'v2', 'ModelArts.2787', 'The request body is not UTF-8', requestId);
      send(res, refused, { requestId, extraHeaders: {}, truncate: false, trickle: null, timers });
      return;
    }
    const fault = faults.take(request.body === undefined ? request.params : searchParams(request.body));
    if (fault?.reset === true || fault?.truncate === true) severed.add(res);
    const respond = (): void => {
      if (fault?.reset === true) return reset(req);
      let reply: Answer;
      try {
        reply = (fault === null ? null : faultAnswer(fault, requestId)) ?? answer(request, settings, requestId);
      } catch {
        // Never let a bug in the emulator take the process down in the middle of a test run.
        reply = fail(500, 'modelarts', 'ModelArts.0010', 'Internal error', requestId);
      }
      const truncate = fault?.truncate === true;
      send(res, reply, { requestId, extraHeaders: fault?.headers ?? {}, truncate, trickle: fault?.trickle ?? null, timers });
    };
    if (fault === null || fault.delayMs === 0) return respond();
    const cancel = timers.later(fault.delayMs, respond);
    res.once('close', cancel); // a client that left during the delay gets no answer, so wait no longer
  }

  const server = createServer(handle);
  // Parse errors (oversized headers, garbage request lines) never reach `handle`; answer them in
  // the same JSON style instead of Node's bare 400, and never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // EPIPE: the client left while an answer (say a trickle) was being written; nothing to say.
    if (!socket.writable || err.code === 'ECONNRESET' || err.code === 'EPIPE') return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = errorBody('modelarts', 'ModelArts.0101', tooLarge ? 'Request header too large' : 'Bad request', '');
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${newRequestId()}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const lifecycle = manageServer(server, () => {
    timers.cancelAll();
    for (const res of inflight) severed.add(res);
  });

  const emulator: Emulator = {
    get url() {
      const address = lifecycle.address;
      if (address === undefined) throw new Error('emulator.url is only known after listen()');
      return address.url;
    },
    get port() {
      const address = lifecycle.address;
      if (address === undefined) throw new Error('emulator.port is only known after listen()');
      return address.port;
    },
    get requests() {
      return requests;
    },
    get answered() {
      return answered;
    },
    get connections() {
      return lifecycle.connections;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    clearRequests() {
      requests.length = 0; // in place, so a reference taken earlier stays live
      answered = 0; // so that answered keeps comparing with requests.length
      peakInFlight = inflight.size;
    },
    setFault(fault) {
      faults.set(fault);
    },
    async listen(port = 0, host = '127.0.0.1') {
      await lifecycle.listen(port, host);
      return emulator;
    },
    down: () => lifecycle.down(),
    up: () => lifecycle.up(),
    close: () => lifecycle.close(),
  };
  return emulator;
}
