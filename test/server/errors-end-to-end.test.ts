/** Errors end to end: argument checks, credentials, and every upstream failure shape and status. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Fault } from '../../src/emulator/index.ts';
import type { UpstreamClient } from '../../src/upstream/client.ts';
import { AUTH, startStack, upstreamQueries, type Stack } from '../support/stack.ts';
import { stubClient } from '../support/stub-client.ts';
import { ONE_JOB_PAGE, UPSTREAMS, type Api } from '../support/upstreams.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ timeoutMs: 2000 });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.setFault(null);
  stack.emulator.clearRequests();
});

const QUERY = '{ trainingJobs { totalCount } }';

/** Nothing of the upstream's own text, address or the credential may reach a client. */
function expectNoLeak(body: unknown, on: Stack = stack) {
  const text = JSON.stringify(body);
  expect(text).not.toContain('127.0.0.1');
  expect(text).not.toContain(String(on.emulator.port));
  expect(text).not.toContain('test-token');
  expect(text).not.toContain('secret upstream text');
  expect(text).not.toMatch(/\bat .*\.ts:\d+/);
}

describe('arguments', () => {
  it.each([
    ['perPage: 0', 'perPage must be between 1 and 1000 (got 0).'],
    ['perPage: 1001', 'perPage must be between 1 and 1000 (got 1001).'],
    ['perPage: -5', 'perPage must be between 1 and 1000 (got -5).'],
    ['page: 0', 'page must be between 1 and 65535 (got 0).'],
    ['page: 65536', 'page must be between 1 and 65535 (got 65536).'],
    [`search: "${'x'.repeat(65)}"`, 'search must be 0 to 64 characters long (got 65).'],
    [`search: "${'😀'.repeat(65)}"`, 'search must be 0 to 64 characters long (got 65).'],
    ['workspaceId: ""', 'workspaceId must be 1 to 64 characters long.'],
  ])('refuses %s before any upstream call', async (args, message) => {
    const res = await stack.gql(`{ trainingJobs(${args}) { totalCount } }`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ trainingJobs: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ message, path: ['trainingJobs'], extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('accepts the range edges and 64 code points of search', async () => {
    const res = await stack.gql(
      `{ a: trainingJobs(perPage: 1, page: 65535) { totalCount } b: trainingJobs(perPage: 1000, search: "${'😀'.repeat(64)}") { totalCount } }`,
    );
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('answers a wrong argument type with a GraphQL validation error', async () => {
    const res = await stack.gql(`{ trainingJobs(perPage: "ten", status: SLEEPING) { totalCount } }`);
    expect(res.body.errors?.length).toBeGreaterThanOrEqual(2);
    expect(res.body.data).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('credentials (passthrough)', () => {
  it('answers UNAUTHENTICATED without calling upstream when the caller has no token', async () => {
    const res = await stack.gql(QUERY, undefined, {});
    expect(res.body.data).toEqual({ trainingJobs: null });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it.each([
    ['an empty X-Auth-Token', { 'x-auth-token': '  ' }],
    ['a Basic Authorization', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
  ])('counts %s as no credential', async (_name, headers) => {
    const res = await stack.gql(QUERY, undefined, headers);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('sends a Bearer token upstream as X-Auth-Token, never the Authorization header', async () => {
    await stack.gql(QUERY, undefined, { authorization: 'Bearer abc.def' });
    expect(stack.emulator.requests[0]?.headers['x-auth-token']).toBe('abc.def');
    expect(stack.emulator.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('prefers X-Auth-Token over Authorization', async () => {
    await stack.gql(QUERY, undefined, { authorization: 'Bearer loser', 'x-auth-token': 'winner' });
    expect(stack.emulator.requests[0]?.headers['x-auth-token']).toBe('winner');
  });

  it('validates arguments before looking at credentials', async () => {
    const res = await stack.gql('{ trainingJobs(perPage: 0) { totalCount } }', undefined, {});
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('credentials (token mode and demo mode)', () => {
  it('sends MODELARTS_TOKEN whatever the caller sends', async () => {
    const other = await startStack({ tokens: { mode: 'token', token: 'service-token' } });
    try {
      await other.gql(QUERY, undefined, { 'x-auth-token': 'caller', authorization: 'Bearer caller' });
      await other.gql(QUERY, undefined, {});
      expect(other.emulator.requests.map((r) => r.headers['x-auth-token'])).toEqual(['service-token', 'service-token']);
      expect(other.emulator.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('supplies the demo token when the caller has none', async () => {
    const other = await startStack({ tokens: { mode: 'passthrough', demoToken: 'demo-token' } });
    try {
      const res = await other.gql(QUERY, undefined, {});
      expect(res.body.errors).toBeUndefined();
      expect(other.emulator.requests[0]?.headers['x-auth-token']).toBe('demo-token');
    } finally {
      await other.close();
    }
  });

  it('passes on the upstream rejecting a token', async () => {
    const other = await startStack({ emulator: { tokens: ['good'] } });
    try {
      const res = await other.gql(QUERY, undefined, { 'x-auth-token': 'bad' });
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        upstream: { errorCode: 'APIGW.0301', httpStatus: 401, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) },
      });
    } finally {
      await other.close();
    }
  });

  it('answers NOT_FOUND for a project the upstream does not know', async () => {
    const other = await startStack({ emulator: { projectId: 'right-project' }, projectId: 'wrong-project' });
    try {
      const res = await other.gql(QUERY);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        upstream: { errorCode: 'ModelArts.2786', httpStatus: 404 },
      });
    } finally {
      await other.close();
    }
  });
});

/** Malformed pages in each upstream's own shape; the shared list below is malformed on both. */
const MALFORMED_OF: Record<Api, Array<[string, Fault]>> = {
  v1: [],
  v2: [
    ['items that is not an array', { status: 200, body: { count: 1, items: 'secret upstream text' } }],
    ['an item missing status.phase', { status: 200, body: ONE_JOB_PAGE.v2(',"status":{"duration":1}') }],
    ['a create_time that is text', { status: 200, body: ONE_JOB_PAGE.v2(',"metadata":{"id":"a","name":"secret upstream text","create_time":"1"}') }],
  ],
};

describe.each(UPSTREAMS)('upstream failures on %s', (api) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api, timeoutMs: 2000 });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });

  const SHAPES = ['v1', 'modelarts', 'apigw', 'v2'] as const;
  const CASES: Array<[number, string, string]> = [
    [400, 'ModelArts.2764', 'BAD_USER_INPUT'],
    [401, 'ModelArts.0202', 'UNAUTHENTICATED'],
    [403, 'ModelArts.0108', 'FORBIDDEN'],
    [404, 'APIGW.0101', 'NOT_FOUND'],
    [408, 'APIG.0408', 'UPSTREAM_TIMEOUT'],
    [429, 'APIGW.0308', 'RATE_LIMITED'],
    [500, 'ModelArts.0010', 'UPSTREAM_ERROR'],
    [501, 'ModelArts.0011', 'UPSTREAM_ERROR'],
    [502, 'APIGW.0202', 'UPSTREAM_UNAVAILABLE'],
    [503, 'ModelArts.4302', 'UPSTREAM_UNAVAILABLE'],
    [504, 'APIGW.0203', 'UPSTREAM_UNAVAILABLE'],
    [418, 'ModelArts.9999', 'UPSTREAM_ERROR'],
    [200, 'ModelArts.0105', 'UPSTREAM_ERROR'],
  ];

  describe.each(SHAPES)('with the %s error body', (shape) => {
    it.each(CASES)('classifies HTTP %i %s as %s', async (status, errorCode, code) => {
      stack.emulator.setFault({ status, error: { shape, code: errorCode, message: 'secret upstream text' } });
      const res = await stack.gql(QUERY);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ trainingJobs: null });
      const error = res.body.errors?.[0];
      const requestId = expect.stringMatching(/^[0-9a-f]{32}$/);
      expect(error?.extensions).toEqual({ code, upstream: { errorCode, httpStatus: status, requestId } });
      expect(error?.message.length).toBeLessThan(120);
      expectNoLeak(res.body, stack);
      // Only unavailability and throttling are retried (three attempts in all).
      expect(stack.emulator.requests).toHaveLength([429, 502, 503, 504].includes(status) ? 3 : 1);
    });
  });

  it('takes requestId from the body before the X-Request-Id header', async () => {
    stack.emulator.setFault({ status: 401, error: { shape: 'apigw', code: 'APIGW.0301' }, headers: { 'x-request-id': 'from-header' } });
    const fromBody = await stack.gql(QUERY);
    expect(fromBody.body.errors?.[0]?.extensions?.upstream.requestId).toMatch(/^[0-9a-f]{32}$/);
    stack.emulator.setFault({ status: 401, error: { shape: 'modelarts', code: 'ModelArts.0201' }, headers: { 'x-request-id': 'from-header' } });
    const fromHeader = await stack.gql(QUERY);
    expect(fromHeader.body.errors?.[0]?.extensions?.upstream.requestId).toBe('from-header');
  });

  const MALFORMED: Array<[string, Fault]> = [
    ...MALFORMED_OF[api],
    ['an HTML error page', { status: 200, body: '<html><body>secret upstream text</body></html>', headers: { 'content-type': 'text/html' } }],
    ['a body that is not JSON', { status: 200, body: 'secret upstream text' }],
    ['truncated JSON', { status: 200, body: '{"is_success":true,"job_total_count":1,"jobs":[{"job_id":1' }],
    ['jobs that is not an array', { status: 200, body: { is_success: true, job_total_count: 1, jobs: 'secret upstream text' } }],
    ['a job missing a field', { status: 200, body: { is_success: true, job_total_count: 1, jobs: [{ job_id: 1, job_name: 'x' }] } }],
    ['an empty 200', { status: 200, body: '' }],
    ['a negative id', { status: 200, body: '{"job_total_count":1,"jobs":[{"job_id":-1,"job_name":"a","version_id":1,"status":1,"create_time":1,"duration":1,"version_count":1}]}' }],
    ['an id beyond 2^63', { status: 200, body: '{"job_total_count":1,"jobs":[{"job_id":9223372036854775808,"job_name":"a","version_id":1,"status":1,"create_time":1,"duration":1,"version_count":1}]}' }],
    ['a 500 HTML page', { status: 500, body: '<h1>secret upstream text</h1>' }],
  ];

  it.each(MALFORMED)('answers UPSTREAM_ERROR for %s, leaking nothing', async (_name, fault) => {
    stack.emulator.setFault(fault);
    const res = await stack.gql(QUERY);
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(error?.extensions?.upstream).toMatchObject({ httpStatus: fault.status });
    expectNoLeak(res.body, stack);
    // The log line is written before the answer, but reaches the test's log stream a moment later under load.
    await vi.waitFor(() => expect(stack.logs.some((l) => l.msg === 'upstream call failed' && l.code === 'UPSTREAM_ERROR')).toBe(true));
  });

  it('answers UPSTREAM_TIMEOUT within the deadline plus one second', async () => {
    const other = await startStack({ api, timeoutMs: 400 });
    try {
      other.emulator.setFault({ delayMs: 3000 });
      const start = Date.now();
      const res = await other.gql(QUERY);
      expect(Date.now() - start).toBeLessThan(400 + 1000);
      expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
      expect(other.emulator.requests).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it.each([
    ['a reset connection', { reset: true }],
    ['a body cut short', { truncate: true }],
  ] satisfies Array<[string, Fault]>)('answers UPSTREAM_UNAVAILABLE for %s', async (_name, fault) => {
    stack.emulator.setFault(fault);
    const res = await stack.gql(QUERY);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expectNoLeak(res.body, stack);
  });

  it('answers UPSTREAM_UNAVAILABLE when nothing listens upstream', async () => {
    const other = await startStack({ api, endpoint: 'http://127.0.0.1:1' });
    try {
      const res = await other.gql(QUERY);
      expect(res.body.errors?.[0]).toMatchObject({
        message: 'The training-jobs service is unavailable: try again shortly.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
      });
      expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
      // The log says why (the error code), but never where: no address or host name.
      expect(other.logs).toContainEqual(
        expect.objectContaining({ msg: 'upstream call failed', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) }),
      );
      // The caller's own address is the request line's `remote`; the upstream's is nowhere.
      const lines = other.logs.map(({ remote: _remote, ...line }) => line);
      expect(JSON.stringify(lines)).not.toContain('127.0.0.1');
    } finally {
      await other.close();
    }
  });

  it('retries a passing unavailability and answers with the page', async () => {
    stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 1 });
    const res = await stack.gql(QUERY);
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('honours a Retry-After that fits in the deadline', async () => {
    stack.emulator.setFault({ status: 429, error: { shape: 'apigw', code: 'APIGW.0308' }, headers: { 'retry-after': '1' }, times: 1 });
    const start = Date.now();
    const res = await stack.gql(QUERY);
    expect(res.body.errors).toBeUndefined();
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('answers at once when Retry-After reaches past the deadline', async () => {
    stack.emulator.setFault({ status: 429, error: { shape: 'apigw', code: 'APIGW.0308' }, headers: { 'retry-after': '30' } });
    const res = await stack.gql(QUERY);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(stack.emulator.requests).toHaveLength(1);
  });

  it('serves the next query normally after a failure', async () => {
    stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 3 });
    expect((await stack.gql(QUERY)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const res = await stack.gql(QUERY);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.trainingJobs.totalCount).toBeGreaterThan(0);
  });
});

describe('a bug in the gateway', () => {
  it('is masked as INTERNAL_SERVER_ERROR and logged with the request id', async () => {
    const broken: UpstreamClient = stubClient(async () => {
      throw new TypeError('secret internal detail');
    });
    const other = await startStack({ client: broken });
    try {
      const res = await other.gql(QUERY, undefined, { ...AUTH, 'x-request-id': 'bug-1' });
      expect(res.body.errors?.[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
      expect(other.logs).toContainEqual(expect.objectContaining({ msg: 'unexpected error', requestId: 'bug-1' }));
      expect(JSON.stringify(other.logs)).not.toContain('test-token');
    } finally {
      await other.close();
    }
  });
});

it('leaves the upstream query log empty for refused requests', () => {
  expect(upstreamQueries(stack.emulator)).toEqual([]);
});
