/**
 * MODELARTS_AUTH=aksk end to end: every upstream request signed, and the emulator verifying
 * the signature over what it actually received (so the query sent is the query signed).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RecordedRequest } from '../src/emulator/index.ts';
import { sign } from '../src/upstream/signer.ts';
import { startStack, type Stack } from './support/stack.ts';

const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const AUTHORIZATION = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** What the API gateway does: recompute the signature from the received request. */
function verify(request: RecordedRequest): boolean {
  const match = AUTHORIZATION.exec(request.headers['authorization'] ?? '');
  if (!match || match[1] !== KEYS.ak) return false;
  const date = request.headers['x-sdk-date'] ?? '';
  const when = Date.parse(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(when) || Math.abs(Date.now() - when) > 15 * 60_000) return false;
  const headers = Object.fromEntries(match[2]!.split(';').map((name) => [name, request.headers[name] ?? '']));
  const query = request.query === '' ? [] : request.query.split('&').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    return [decodeURIComponent(key), decodeURIComponent(value)] as const;
  });
  const expected = sign({ method: request.method, path: request.path, query, headers, ...KEYS });
  return expected.authorization === request.headers['authorization'] && expected.queryString === request.query;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ aksk: KEYS, tokens: { mode: 'aksk' }, emulator: { verifySignature: verify } });
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.clearRequests());

it('signs every request and sends the query exactly as signed', async () => {
  const res = await stack.gql(`{ trainingJobs(search: "一 (&=?!#%.*) x", status: RUNNING, sortBy: CREATE_TIME) { totalCount } }`, undefined, {});
  expect(res.body.errors).toBeUndefined();
  const [request] = stack.emulator.requests;
  expect(request?.query).toBe(
    'order=asc&page=1&per_page=10&search_content=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29%20x&sortBy=create_time&status=8&workspace_id=0',
  );
  expect(request?.headers['authorization']).toMatch(/^SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=accept;content-type;host;x-project-id;x-request-id;x-sdk-date, Signature=/);
  expect(request?.headers['x-auth-token']).toBeUndefined();
  expect(request?.headers['x-project-id']).toBe('test-project');
});

it('signs retries afresh', async () => {
  stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 1 });
  const res = await stack.gql('{ trainingJobs { totalCount } }', undefined, {});
  expect(res.body.errors).toBeUndefined();
  expect(stack.emulator.requests).toHaveLength(2);
});

it('answers UNAUTHENTICATED when the upstream rejects the signature', async () => {
  const wrong = await startStack({ aksk: { ...KEYS, sk: 'not-the-secret' }, tokens: { mode: 'aksk' }, emulator: { verifySignature: verify } });
  try {
    const res = await wrong.gql('{ trainingJobs { totalCount } }', undefined, {});
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { errorCode: 'APIGW.0301', httpStatus: 401 } });
    expect(JSON.stringify(res.body)).not.toContain('not-the-secret');
    expect(JSON.stringify(wrong.logs)).not.toContain('not-the-secret');
  } finally {
    await wrong.close();
  }
});

it('sends and signs X-Security-Token with temporary keys', async () => {
  const temporary = await startStack({ aksk: { ...KEYS, securityToken: 'temp-token' }, tokens: { mode: 'aksk' }, emulator: { verifySignature: verify } });
  try {
    const res = await temporary.gql('{ trainingJobs { totalCount } }', undefined, {});
    expect(res.body.errors).toBeUndefined();
    expect(temporary.emulator.requests[0]?.headers['x-security-token']).toBe('temp-token');
    expect(temporary.emulator.requests[0]?.headers['authorization']).toContain('x-security-token');
  } finally {
    await temporary.close();
  }
});
