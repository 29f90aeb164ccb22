/**
 * MODELARTS_AUTH=aksk end to end: every upstream request signed, and the emulator's built-in
 * check (an implementation of its own) verifying it over what arrived, so the query (v1) or
 * the body (v2) sent is the one signed.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAkSk } from '../../src/emulator/aksk.ts';
import type { RecordedRequest } from '../../src/emulator/index.ts';
import { sign } from '../../src/upstream/signer.ts';
import { startStack, type Stack, type StackOptions } from '../support/stack.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };

/** A gateway on `api` signing with `aksk`, against an emulator that accepts only KEYS. */
const startSigned = (api: Api, aksk: StackOptions['aksk'] = KEYS) =>
  startStack({ api, aksk, tokens: { mode: 'aksk' }, emulator: { aksk: KEYS } });

async function withSigned(api: Api, aksk: StackOptions['aksk'], test: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startSigned(api, aksk);
  try {
    await test(stack);
  } finally {
    await stack.close();
  }
}

/** The headers an Authorization names as signed, as the request carried them. */
function signedHeaders(request: RecordedRequest, authorization: string): Record<string, string> {
  const names = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  return Object.fromEntries(names.map((name) => [name, request.headers[name] ?? '']));
}

/**
 * Sends a recorded request again with the given Authorization, and `body` in place of the one
 * it carried (v2); resolves to the status.
 */
function replay(url: string, request: RecordedRequest, authorization: string, body = request.body): Promise<number> {
  const headers: Record<string, string> = { ...signedHeaders(request, authorization), authorization };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const target = request.query === '' ? `${url}${request.path}` : `${url}${request.path}?${request.query}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: request.method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject).end(body);
  });
}

// One stack per upstream for the tests that need no options of their own.
const stacks = {} as Record<Api, Stack>;
beforeAll(async () => {
  // One after the other, so that afterAll closes whatever did start.
  for (const api of UPSTREAMS) stacks[api] = await startSigned(api);
});
afterAll(async () => {
  for (const stack of Object.values(stacks)) await stack.close();
});
beforeEach(() => {
  for (const stack of Object.values(stacks)) stack.emulator.clearRequests();
});

describe.each(UPSTREAMS)('on %s', (api) => {
  it('signs retries afresh', async () => {
    const stack = stacks[api];
    stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 1 });
    const res = await stack.gql('{ trainingJobs { totalCount } }', undefined, {});
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(2);
    for (const request of stack.emulator.requests) expect(verifyAkSk(request, KEYS)).toBe(true);
  });

  it('answers UNAUTHENTICATED when the upstream rejects the signature', async () => {
    await withSigned(api, { ...KEYS, sk: 'not-the-secret' }, async (wrong) => {
      const res = await wrong.gql('{ trainingJobs { totalCount } }', undefined, {});
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { errorCode: 'APIGW.0301', httpStatus: 401 } });
      expect(JSON.stringify(res.body)).not.toContain('not-the-secret');
      expect(JSON.stringify(wrong.logs)).not.toContain('not-the-secret');
    });
  });

  it('sends and signs X-Security-Token with temporary keys', async () => {
    await withSigned(api, { ...KEYS, securityToken: 'temp-token' }, async (temporary) => {
      const res = await temporary.gql('{ trainingJobs { totalCount } }', undefined, {});
      expect(res.body.errors).toBeUndefined();
      expect(temporary.emulator.requests[0]?.headers['x-security-token']).toBe('temp-token');
      expect(temporary.emulator.requests[0]?.headers['authorization']).toContain('x-security-token');
    });
  });

  it('refuses, with the built-in check, a request signed with the wrong SK, and only for the SK', async () => {
    await withSigned(api, { ...KEYS, sk: 'not-the-secret' }, async (wrong) => {
      await wrong.gql('{ trainingJobs(search: "一 (x)") { totalCount } }', undefined, {});
      const [refused] = wrong.emulator.requests;
      if (refused === undefined) throw new Error('no upstream request');
      const sent = refused.headers['authorization'] ?? '';
      expect(await replay(wrong.emulator.url, refused, sent)).toBe(401);
      // The very same request, signed with the right SK, passes.
      const headers = signedHeaders(refused, sent);
      const resigned = sign({ method: refused.method, path: refused.path, query: refused.params, headers, body: refused.body, ...KEYS });
      expect(resigned.queryString).toBe(refused.query);
      expect(await replay(wrong.emulator.url, refused, resigned.authorization)).toBe(200);
    });
  });
});

describe('on v1', () => {
  it('signs every request and sends the query exactly as signed', async () => {
    const stack = stacks.v1;
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
});

describe('on v2', () => {
  const head = '{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0"';
  type Job = { name: string; status: string };
  // `found`: whether the data set holds a match; an empty page would satisfy `each` and prove nothing.
  const cases: Array<{ name: string; query: string; variables?: Record<string, unknown>; body: string; found: boolean; each: (job: Job) => boolean }> = [
    { name: 'no filter', query: '{ trainingJobs { totalCount jobs { name status } } }', body: `${head}}`, found: true, each: () => true },
    {
      name: 'status and search',
      query: '{ trainingJobs(status: RUNNING, search: "中文") { totalCount jobs { name status } } }',
      body: `${head},"filters":[{"key":"phase","operator":"in","value":["Running"]},{"key":"name","operator":"like","value":["中文"]}]}`,
      found: true,
      each: (job) => job.status === 'RUNNING' && job.name.includes('中文'),
    },
    {
      name: 'statusGroup',
      query: '{ trainingJobs(statusGroup: FAILED) { totalCount jobs { name status } } }',
      body: `${head},"filters":[{"key":"phase","operator":"in","value":["Failed","Abnormal"]}]}`,
      found: true,
      each: (job) => job.status === 'FAILED',
    },
    {
      // 4-byte UTF-8 and JSON.stringify's escapes: Content-Length and the hash both count bytes.
      name: 'search with an emoji, a quote and a backslash',
      query: 'query ($search: String) { trainingJobs(search: $search) { totalCount jobs { name status } } }',
      variables: { search: '中文 "q" \\ 🚀' },
      body: String.raw`${head},"filters":[{"key":"name","operator":"like","value":["中文 \"q\" \\ 🚀"]}]}`,
      found: false,
      each: (job) => job.name.includes('中文 "q" \\ 🚀'),
    },
  ];

  it.each(cases)('POSTs the body signed, and the verifier accepts it: $name', async ({ query, variables, body, found, each }) => {
    const stack = stacks.v2;
    const res = await stack.gql(query, variables, {});
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data?.['trainingJobs'] as { totalCount: number; jobs: Job[] };
    expect(page.totalCount > 0).toBe(found);
    expect(page.jobs.every(each)).toBe(true);
    const [request] = stack.emulator.requests;
    if (request === undefined) throw new Error('no upstream request');
    expect(stack.emulator.requests).toHaveLength(1);
    expect(request).toMatchObject({ method: 'POST', path: '/v2/test-project/training-job-searches', query: '', body });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(body)), 'x-project-id': 'test-project' });
    expect(request.headers['authorization']).toMatch(/^SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=accept;content-type;host;x-project-id;x-request-id;x-sdk-date, Signature=/);
    expect(request.headers['x-auth-token']).toBeUndefined();
    expect(verifyAkSk(request, KEYS)).toBe(true);
    // The page above came from the emulator's 200; this says so without the gateway in between.
    expect(await replay(stack.emulator.url, request, request.headers['authorization'] ?? '')).toBe(200);
  });

  it('refuses a body altered after signing, and only for the body', async () => {
    const stack = stacks.v2;
    const res = await stack.gql('{ trainingJobs(status: RUNNING, search: "中文") { totalCount } }', undefined, {});
    expect(res.body.errors).toBeUndefined();
    const [signed] = stack.emulator.requests;
    if (signed === undefined || signed.body === undefined) throw new Error('no upstream request with a body');
    const authorization = signed.headers['authorization'] ?? '';
    // Still valid JSON, so a refusal can only be the signature's; one character, and one byte of whitespace.
    const altered = signed.body.replace('中文', '中又');
    const spaced = signed.body.replace('{', '{ ');
    expect(verifyAkSk(signed, KEYS)).toBe(true);
    expect(verifyAkSk({ ...signed, body: altered }, KEYS)).toBe(false);
    expect(verifyAkSk({ ...signed, body: spaced }, KEYS)).toBe(false);
    expect(verifyAkSk({ ...signed, body: '' }, KEYS)).toBe(false);
    // Over the wire too: the emulator answers 401 to the altered body under the old signature,
    // and 200 to it signed afresh, so nothing but the body made the difference.
    expect(await replay(stack.emulator.url, signed, authorization, altered)).toBe(401);
    const resigned = sign({ method: 'POST', path: signed.path, query: [], headers: signedHeaders(signed, authorization), body: altered, ...KEYS });
    expect(await replay(stack.emulator.url, signed, resigned.authorization, altered)).toBe(200);
  });
});
