/**
 * A field that fans out when one of its calls fails (DESIGN.md "Status groups and counts",
 * "Failure"), on both upstreams: on v1 a status group's branches, on v2 the 50-job pages of a
 * page beyond 50 jobs. The field fails with that call's error, never a page with a part
 * missing; the lowest branch's failure wins whatever answers first, the branches above it are
 * aborted; a client that leaves mid-fan-out aborts every call in flight; the field's deadline
 * covers all of them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateJobs, type Fault, type RecordedRequest } from '../../src/emulator/index.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const TIMEOUT_MS = 1000;
const HEX32 = expect.stringMatching(/^[0-9a-f]{32}$/);

/** One fanning-out field per upstream, and how a test points a fault at one of its branches. */
interface FanOut {
  query: string;
  /** The branches in order, lowest first. */
  branches: number[];
  on(branch: number, fault: Fault): Fault;
  branchOf(request: RecordedRequest): number;
  /** Two fields sharing one call: g fans out, p is that call alone (its branch `shared`). */
  sharing: { query: string; failing: number; shared: number };
}

const FAN: Record<Api, FanOut> = {
  // FAILED's codes: 3, 5, 6, 11, 14, 16, 17, 21, 22.
  v1: {
    query: '{ trainingJobs(statusGroup: FAILED, perPage: 5) { totalCount jobs { id } } }',
    branches: [3, 5, 6, 11, 14, 16, 17, 21, 22],
    on: (status, fault) => ({ ...fault, when: { status: String(status) } }),
    branchOf: (r) => Number(new URLSearchParams(r.params).get('status')),
    // LOST (14) at perPage 1 is both a FAILED branch of g and the whole of p: one call.
    sharing: { query: '{ g: trainingJobs(statusGroup: FAILED, perPage: 1) { totalCount } p: trainingJobs(status: LOST, perPage: 1) { totalCount } }', failing: 3, shared: 14 },
  },
  // 500 jobs: ten 50-job pages, offsets 0 to 9; the first alone, then the rest, 8 at a time.
  v2: {
    query: '{ trainingJobs(perPage: 500) { totalCount jobs { id } } }',
    branches: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    on: (offset, fault) => ({ ...fault, when: { offset: String(offset) } }),
    branchOf: (r) => (JSON.parse(r.body ?? '{}') as { offset: number }).offset,
    // Page 3 of 50 is the third 50-job page of g's 150: one call.
    sharing: { query: '{ g: trainingJobs(perPage: 150) { totalCount } p: trainingJobs(page: 3, perPage: 50) { totalCount } }', failing: 1, shared: 2 },
  },
};
const JOBS = generateJobs(800, 5).map((job) => ({ ...job, workspaceId: '0' }));

describe.each(UPSTREAMS)('on %s', (api) => {
  const { query: QUERY, branches, on, branchOf, sharing } = FAN[api];
  /** v2's first call must answer for the others to be made: faults that hold every call skip it. */
  const others = api === 'v1' ? branches : branches.slice(1);
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api, timeoutMs: TIMEOUT_MS, maxAttempts: 2, emulator: { jobs: JOBS } });
  });
  afterAll(() => stack?.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });

  describe('one branch failing', () => {
    it.each<[string, Fault, string, Record<string, unknown> | undefined]>([
      ['400', { status: 400, error: { shape: 'v1', code: 'ModelArts.2764' } }, 'BAD_USER_INPUT', { errorCode: 'ModelArts.2764', httpStatus: 400, requestId: HEX32 }],
      ['401', { status: 401, error: { shape: 'apigw', code: 'APIGW.0301' } }, 'UNAUTHENTICATED', { errorCode: 'APIGW.0301', httpStatus: 401, requestId: HEX32 }],
      ['403', { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }, 'FORBIDDEN', { errorCode: 'ModelArts.0210', httpStatus: 403, requestId: HEX32 }],
      ['404', { status: 404, error: { shape: 'apigw', code: 'APIG.0101' } }, 'NOT_FOUND', { errorCode: 'APIG.0101', httpStatus: 404, requestId: HEX32 }],
      ['429', { status: 429, error: { shape: 'apigw', code: 'APIGW.0308' } }, 'RATE_LIMITED', { errorCode: 'APIGW.0308', httpStatus: 429, requestId: HEX32 }],
      ['500', { status: 500, error: { shape: 'modelarts', code: 'ModelArts.0010' } }, 'UPSTREAM_ERROR', { errorCode: 'ModelArts.0010', httpStatus: 500, requestId: HEX32 }],
      ['503', { status: 503, error: { shape: 'modelarts', code: 'ModelArts.4302' } }, 'UPSTREAM_UNAVAILABLE', { errorCode: 'ModelArts.4302', httpStatus: 503, requestId: HEX32 }],
      ['a reset connection', { reset: true }, 'UPSTREAM_UNAVAILABLE', undefined],
      ['a body that is not a page', { body: { jobs: 'nope' } }, 'UPSTREAM_ERROR', { httpStatus: 200, requestId: HEX32 }],
      ['no answer within the deadline', { delayMs: 3000 }, 'UPSTREAM_TIMEOUT', undefined],
    ])('fails the field on %s, with that branch error', async (_name, fault, code, upstream) => {
      stack.emulator.setFault(on(branches[3]!, fault));
      const started = Date.now();
      const res = await stack.gql(QUERY);
      expect(res.body.data).toEqual({ trainingJobs: null });
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.extensions).toEqual(upstream === undefined ? { code } : { code, upstream });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    });
  });

  describe('several branches failing', () => {
    it('answers the lowest code failure, though it came last, and aborts the branches above', async () => {
      const [late, now, held] = [branches[1]!, branches[4]!, branches[6]!];
      stack.emulator.setFault([
        // `late` fails late, `now` at once; `held` would answer, but only after `now` failed.
        on(late, { status: 404, error: { shape: 'apigw', code: 'APIG.0101' }, delayMs: 300 }),
        on(now, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }),
        on(held, { delayMs: 3000 }),
      ]);
      const res = await stack.gql(QUERY);
      expect(res.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
      // The abort reaches the emulator as a connection closed before its answer.
      await expect.poll(() => stack.emulator.requests.find((r) => branchOf(r) === held)?.aborted, { timeout: 2000 }).toBe(true);
      const below = stack.emulator.requests.filter((r) => branchOf(r) < now);
      expect(below.map(branchOf).sort((a, b) => a - b)).toEqual(branches.slice(0, 4));
      expect(below.every((r) => r.aborted !== true)).toBe(true);
    });
  });

  describe('a branch shared with another field', () => {
    it('is not cancelled for that field when a sibling branch fails', async () => {
      stack.emulator.setFault([
        on(sharing.failing, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' }, delayMs: 100 }),
        on(sharing.shared, { delayMs: 400 }),
      ]);
      const res = await stack.gql(sharing.query);
      expect(res.body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([[['g'], 'FORBIDDEN']]);
      expect(res.body.data).toEqual({ g: null, p: { totalCount: expect.any(Number) } });
      const shared = stack.emulator.requests.filter((r) => branchOf(r) === sharing.shared);
      expect(shared).toHaveLength(1);
      expect(shared[0]!.aborted).toBeUndefined();
    });
  });

  describe('behind the page cache', () => {
    it('answers the failure without waiting for a branch it cannot cancel', async () => {
      const cached = await startStack({ api, timeoutMs: 5000, cache: { ttlMs: 60_000 }, emulator: { jobs: JOBS } });
      try {
        cached.emulator.setFault([on(others[0]!, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }), on(branches[6]!, { delayMs: 3000 })]);
        const started = Date.now();
        const res = await cached.gql(QUERY);
        expect(res.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        await cached.close();
      }
    });
  });

  describe('a client that leaves mid-fan-out', () => {
    it('aborts every branch in flight and starts none after', async () => {
      stack.emulator.setFault(others.map((branch) => on(branch, { delayMs: 2000 })));
      const inFlight = branches.length - others.length + 8;
      const controller = new AbortController();
      const sent = fetch(`${stack.origin}/graphql`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
        signal: controller.signal,
      }).catch(() => undefined);
      await expect.poll(() => stack.emulator.requests.length, { timeout: 2000 }).toBe(inFlight);
      controller.abort();
      await sent;
      await expect.poll(() => stack.emulator.requests.filter((r) => r.aborted).length, { timeout: 2000 }).toBe(8);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The last branch waited for a slot; it is never asked.
      expect(stack.emulator.requests).toHaveLength(inFlight);
    });
  });
});
