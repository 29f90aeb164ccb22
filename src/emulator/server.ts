// The emulator's HTTP server: GET /v1/{project_id}/training-jobs as the seed describes it, plus a
// request log and programmable faults for tests. Nothing happens on import; createEmulator builds,
// listen binds.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { defaultJobs } from './dataset.ts';
import type { EmulatorJob } from './dataset.ts';
import { createFaultSlot } from './faults.ts';
import type { ArmedFault, Fault } from './faults.ts';
import { createJobIndex } from './listing.ts';
import type { JobIndex } from './listing.ts';
import { parseListQuery } from './query.ts';
import { recordRequest } from './record.ts';
import type { RecordedRequest } from './record.ts';
import { reset, send } from './respond.ts';
import type { Answer } from './respond.ts';
import { errorBody, JSON_CONTENT_TYPE, newRequestId, successBody } from './wire.ts';
import type { ErrorBodyShape } from './wire.ts';

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
   * Seam for AK/SK checks: called for requests whose Authorization starts with
   * 'SDK-HMAC-SHA256 '; false answers 401 APIGW.0301. Default: every such request is accepted.
   */
  verifySignature?: (request: RecordedRequest) => boolean;
  /** Keep the request log; default true. Long benchmarks may turn it off to keep memory flat. */
  logRequests?: boolean;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:34567; throws before listen */
  readonly url: string;
  readonly port: number;
  /** every request received, including faulted and rejected ones, in arrival order */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /** null clears */
  setFault(fault: Fault | null): void;
  /** default port 0 and host 127.0.0.1 */
  listen(port?: number, host?: string): Promise<Emulator>;
  /** closes the server and destroys open keep-alive sockets */
  close(): Promise<void>;
}

const PATH = /^\/v1\/([A-Za-z0-9-]{1,64})\/training-jobs$/;
const HMAC_PREFIX = 'SDK-HMAC-SHA256 ';

interface Settings {
  index: JobIndex;
  projectId: string | undefined;
  tokens: ReadonlySet<string> | undefined;
  jobCountLimit: number | null;
  quotas: number | null;
  verifySignature: ((request: RecordedRequest) => boolean) | undefined;
}

function checkOptions(options: EmulatorOptions): void {
  const problems: string[] = [];
  if (options.projectId !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(options.projectId)) {
    problems.push('projectId must be 1-64 letters, digits or hyphens');
  }
  if (options.tokens?.some((token) => token.trim() === '')) problems.push('tokens must be non-empty strings');
  for (const key of ['jobCountLimit', 'quotas'] as const) {
    const value = options[key];
    if (value !== undefined && value !== null && !Number.isInteger(value)) problems.push(`${key} must be an integer or null`);
  }
  if (problems.length > 0) throw new TypeError(`createEmulator: ${problems.join('; ')}`);
}

function fail(status: number, shape: ErrorBodyShape, code: string, message: string, requestId: string): Answer {
  return { status, body: errorBody(shape, code, message, requestId) };
}

function authenticate(request: RecordedRequest, settings: Settings, requestId: string): Answer | null {
  const authorization = request.headers['authorization'];
  if (authorization?.startsWith(HMAC_PREFIX)) {
    if (settings.verifySignature === undefined || settings.verifySignature(request)) return null;
    return fail(401, 'apigw', 'APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail', requestId);
  }
  const token = request.headers['x-auth-token']?.trim() ?? '';
  if (token === '') return fail(401, 'modelarts', 'ModelArts.0201', 'Token missing', requestId);
  if (settings.tokens !== undefined && !settings.tokens.has(token)) {
    return fail(401, 'apigw', 'APIGW.0301', 'Incorrect IAM authentication information: verify token fail', requestId);
  }
  return null;
}

/** The normal answer: route, method, auth, project, then parameters (each step may refuse). */
function answer(request: RecordedRequest, settings: Settings, requestId: string): Answer {
  const match = PATH.exec(request.path);
  if (match === null) {
    return fail(404, 'apigw', 'APIGW.0101', 'The API does not exist or has not been published in the environment', requestId);
  }
  if (request.method !== 'GET') {
    const refused = fail(405, 'modelarts', 'ModelArts.0104', `Method ${request.method} is not allowed`, requestId);
    return { ...refused, headers: { allow: 'GET' } };
  }
  const denied = authenticate(request, settings, requestId);
  if (denied !== null) return denied;
  if (settings.projectId !== undefined && match[1] !== settings.projectId) {
    return fail(404, 'apigw', 'ModelArts.2786', 'The project ID does not match the token', requestId);
  }
  const parsed = parseListQuery(request.query, settings.index.workspaceExists);
  if (!parsed.ok) return fail(400, 'v1', parsed.error.code, parsed.error.message, requestId);
  const { total, jobs } = settings.index.list(parsed.query);
  return { status: 200, body: successBody(total, settings.jobCountLimit, settings.quotas, jobs) };
}

function faultAnswer(fault: ArmedFault, requestId: string): Answer | null {
  if (fault.status === null) return null;
  if (fault.error !== null) {
    const { shape, code, message } = fault.error;
    return fail(fault.status, shape, code, message, requestId);
  }
  return { status: fault.status, body: fault.body ?? '' }; // a bare status sends an empty body
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  checkOptions(options);
  const settings: Settings = {
    index: createJobIndex(options.jobs ?? defaultJobs()),
    projectId: options.projectId,
    tokens: options.tokens === undefined ? undefined : new Set(options.tokens),
    jobCountLimit: options.jobCountLimit === undefined ? 3 : options.jobCountLimit,
    quotas: options.quotas === undefined ? 5 : options.quotas,
    verifySignature: options.verifySignature,
  };
  const logRequests = options.logRequests ?? true;
  const requests: RecordedRequest[] = [];
  const faults = createFaultSlot();
  const delays = new Set<NodeJS.Timeout>();
  let address: { url: string; port: number } | undefined;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = newRequestId();
    const request = recordRequest(req);
    if (logRequests) requests.push(request);
    const fault = faults.take();
    const respond = (): void => {
      if (fault?.reset === true) return reset(req);
      let reply: Answer;
      try {
        reply = (fault === null ? null : faultAnswer(fault, requestId)) ?? answer(request, settings, requestId);
      } catch {
        // Never let a bug in the emulator take the process down in the middle of a test run.
        reply = fail(500, 'modelarts', 'ModelArts.0010', 'Internal error', requestId);
      }
      send(res, reply, { requestId, extraHeaders: fault?.headers ?? {}, truncate: fault?.truncate === true });
    };
    if (fault === null || fault.delayMs === 0) return respond();
    const timer = setTimeout(() => {
      delays.delete(timer);
      respond();
    }, fault.delayMs);
    delays.add(timer);
  }

  const server = createServer(handle);
  // Parse errors (oversized headers, garbage request lines) never reach `handle`; answer them in
  // the same JSON style instead of Node's bare 400, and never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = errorBody('modelarts', 'ModelArts.0101', tooLarge ? 'Request header too large' : 'Bad request', '');
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${newRequestId()}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const emulator: Emulator = {
    get url() {
      if (address === undefined) throw new Error('emulator.url is only known after listen()');
      return address.url;
    },
    get port() {
      if (address === undefined) throw new Error('emulator.port is only known after listen()');
      return address.port;
    },
    get requests() {
      return requests;
    },
    clearRequests() {
      requests.length = 0; // in place, so a reference taken earlier stays live
    },
    setFault(fault) {
      faults.set(fault);
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          // A wildcard address is fine to bind but not to connect to: advertise loopback instead.
          const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
          address = { url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}`, port: bound };
          resolve(emulator);
        });
      });
    },
    close() {
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      });
    },
  };
  return emulator;
}
