/**
 * MODELARTS_AUTH=aksk end to end: every upstream request signed, and the emulator's built-in
 * check (an implementation of its own) verifying it over what arrived, so the query sent is
 * the query signed.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/emulator/index.ts';
import { sign } from '../../src/upstream/signer.ts';
import { startStack, type Stack } from '../support/stack.ts';

const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };

/** The headers an Authorization names as signed, as the request carried them. */
function signedHeaders(request: RecordedRequest, authorization: string): Record<string, string> {
  const names = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  return Object.fromEntries(names.map((name) => [name, request.headers[name] ?? '']));
}

/** Sends a recorded request again with the given Authorization; resolves to the status. */
function replay(url: string, request: RecordedRequest, authorization: string): Promise<number> {
  const headers = { ...signedHeaders(request, authorization), authorization };
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${request.path}?${request.query}`, { headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject).end();
  });
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ aksk: KEYS, tokens: { mode: 'aksk' }, emulator: { aksk: KEYS } });
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
  const wrong = await startStack({ aksk: { ...KEYS, sk: 'not-the-secret' }, tokens: { mode: 'aksk' }, emulator: { aksk: KEYS } });
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
  const temporary = await startStack({ aksk: { ...KEYS, securityToken: 'temp-token' }, tokens: { mode: 'aksk' }, emulator: { aksk: KEYS } });
  try {
    const res = await temporary.gql('{ trainingJobs { totalCount } }', undefined, {});
    expect(res.body.errors).toBeUndefined();
    expect(temporary.emulator.requests[0]?.headers['x-security-token']).toBe('temp-token');
    expect(temporary.emulator.requests[0]?.headers['authorization']).toContain('x-security-token');
  } finally {
    await temporary.close();
  }
});

it('refuses, with the built-in check, a request signed with the wrong SK, and only for the SK', async () => {
  const wrong = await startStack({ aksk: { ...KEYS, sk: 'not-the-secret' }, tokens: { mode: 'aksk' }, emulator: { aksk: KEYS } });
  try {
    await wrong.gql('{ trainingJobs(search: "一 (x)") { totalCount } }', undefined, {});
    const [refused] = wrong.emulator.requests;
    if (refused === undefined) throw new Error('no upstream request');
    const sent = refused.headers['authorization'] ?? '';
    expect(await replay(wrong.emulator.url, refused, sent)).toBe(401);
    // The very same request, signed with the right SK, passes.
    const headers = signedHeaders(refused, sent);
    const resigned = sign({ method: 'GET', path: refused.path, query: refused.params, headers, ...KEYS });
    expect(resigned.queryString).toBe(refused.query);
    expect(await replay(wrong.emulator.url, refused, resigned.authorization)).toBe(200);
  } finally {
    await wrong.close();
  }
});
