// The normal answer to one request, and the answer a fault asks for instead. Pure: no sockets
// here, so the order of checks (route, method, auth, project, parameters) reads in one place.
import { verifyAkSk } from './aksk.ts';
import type { AkSk } from './aksk.ts';
import type { ArmedFault } from './faults.ts';
import type { JobIndex } from './listing.ts';
import { parseListQuery } from './query.ts';
import type { RecordedRequest } from './record.ts';
import type { Answer } from './respond.ts';
import { parseSearch, type OffsetReading } from './search.ts';
import { errorBody, searchBody, successBody } from './wire.ts';
import type { ErrorBodyShape } from './wire.ts';

const PATH = /^\/v1\/([A-Za-z0-9-]{1,64})\/training-jobs$/;
const PATH_V2 = /^\/v2\/([A-Za-z0-9-]{1,64})\/training-job-searches$/;
const HMAC_PREFIX = 'SDK-HMAC-SHA256 ';

export interface Settings {
  index: JobIndex;
  projectId: string | undefined;
  tokens: ReadonlySet<string> | undefined;
  jobCountLimit: number | null;
  quotas: number | null;
  verifySignature: ((request: RecordedRequest) => boolean) | undefined;
  aksk: AkSk | undefined;
  /** How the v2 route reads `offset`. */
  v2Offset: OffsetReading;
}

export function fail(status: number, shape: ErrorBodyShape, code: string, message: string, requestId: string): Answer {
  return { status, body: errorBody(shape, code, message, requestId) };
}

function authenticate(request: RecordedRequest, settings: Settings, requestId: string): Answer | null {
  const authorization = request.headers['authorization'];
  if (authorization?.startsWith(HMAC_PREFIX)) {
    // The hook, when given, replaces the built-in check; with neither, signatures go unchecked.
    const { verifySignature, aksk } = settings;
    const valid = verifySignature ? verifySignature(request) : aksk ? verifyAkSk(request, aksk) : true;
    if (valid) return null;
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
export function answer(request: RecordedRequest, settings: Settings, requestId: string): Answer {
  const v2 = PATH_V2.exec(request.path);
  const match = v2 ?? PATH.exec(request.path);
  if (match === null) {
    return fail(404, 'apigw', 'APIGW.0101', 'The API does not exist or has not been published in the environment', requestId);
  }
  const method = v2 === null ? 'GET' : 'POST';
  if (request.method !== method) {
    const refused = fail(405, 'modelarts', 'ModelArts.0104', `Method ${request.method} is not allowed`, requestId);
    return { ...refused, headers: { allow: method } };
  }
  const denied = authenticate(request, settings, requestId);
  if (denied !== null) return denied;
  if (settings.projectId !== undefined && match[1] !== settings.projectId) {
    return fail(404, 'apigw', 'ModelArts.2786', 'The project ID does not match the token', requestId);
  }
  if (v2 !== null) {
    const searched = parseSearch(request.body ?? '', settings.index.workspaceExists);
    if (!searched.ok) return fail(400, 'v2', searched.error.code, searched.error.message, requestId);
    const result = settings.index.search(searched.query, settings.v2Offset);
    return { status: 200, body: searchBody(result, searched.query) };
  }
  const parsed = parseListQuery(request.query, settings.index.workspaceExists);
  if (!parsed.ok) return fail(400, 'v1', parsed.error.code, parsed.error.message, requestId);
  const { total, jobs } = settings.index.list(parsed.query);
  return { status: 200, body: successBody(total, settings.jobCountLimit, settings.quotas, jobs) };
}

export function faultAnswer(fault: ArmedFault, requestId: string): Answer | null {
  if (fault.status === null) return null;
  if (fault.error !== null) {
    const { shape, code, message } = fault.error;
    return fail(fault.status, shape, code, message, requestId);
  }
  return { status: fault.status, body: fault.body ?? '' }; // a bare status sends an empty body
}
