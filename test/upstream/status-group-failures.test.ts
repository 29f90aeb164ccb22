/**
 * A status group page when a branch fails (DESIGN.md "Status groups and counts", "Failure"):
 * the field fails with that branch's error, never a page with a branch missing; the lowest
 * code's failure wins whatever answers first, the branches above it are aborted; a client that
 * leaves mid-fan-out aborts every branch in flight; the field's deadline covers all branches.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/emulator/index.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const TIMEOUT_MS = 1000;
const QUERY = '{ trainingJobs(statusGroup: FAILED, perPage: 5) { totalCount jobs { id } } }';
const HEX32 = expect.stringMatching(/^[0-9a-f]{32}$/);
/** FAILED's codes: 3, 5, 6, 11, 14, 16, 17, 21, 22. */
const on = (status: number, fault: Fault): Fault => ({ ...fault, when: { status: String(status) } });
const branchOf = (r: { params: Array<[string, string]> }) => Number(new URLSearchParams(r.params).get('status'));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ timeoutMs: TIMEOUT_MS, maxAttempts: 2 });
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
    stack.emulator.setFault(on(11, fault));
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
    stack.emulator.setFault([
      // 5 fails late, 14 at once; 17 would answer, but only after 14 failed.
      on(5, { status: 404, error: { shape: 'apigw', code: 'APIG.0101' }, delayMs: 300 }),
      on(14, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }),
      on(17, { delayMs: 3000 }),
    ]);
    const res = await stack.gql(QUERY);
    expect(res.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    // The abort reaches the emulator as a connection closed before its answer.
    await expect.poll(() => stack.emulator.requests.find((r) => branchOf(r) === 17)?.aborted, { timeout: 2000 }).toBe(true);
    const below = stack.emulator.requests.filter((r) => branchOf(r) < 14);
    expect(below.map(branchOf).sort((a, b) => a - b)).toEqual([3, 5, 6, 11]);
    expect(below.every((r) => r.aborted !== true)).toBe(true);
  });
});

describe('a branch shared with another field', () => {
  it('is not cancelled for that field when a sibling branch fails', async () => {
    stack.emulator.setFault([
      on(3, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' }, delayMs: 100 }),
      on(14, { delayMs: 400 }),
    ]);
    // LOST (14) at perPage 1 is both a FAILED branch of g and the whole of p: one call.
    const res = await stack.gql(`{
      g: trainingJobs(statusGroup: FAILED, perPage: 1) { totalCount }
      p: trainingJobs(status: LOST, perPage: 1) { totalCount }
    }`);
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([[['g'], 'FORBIDDEN']]);
    expect(res.body.data).toEqual({ g: null, p: { totalCount: expect.any(Number) } });
    const lost = stack.emulator.requests.filter((r) => branchOf(r) === 14);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.aborted).toBeUndefined();
  });
});

describe('behind the page cache', () => {
  it('answers the failure without waiting for a branch it cannot cancel', async () => {
    const cached = await startStack({ timeoutMs: 5000, cache: { ttlMs: 60_000 } });
    try {
      cached.emulator.setFault([on(3, { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }), on(17, { delayMs: 3000 })]);
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
    stack.emulator.setFault({ delayMs: 2000 });
    const controller = new AbortController();
    const sent = fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => stack.emulator.requests.length, { timeout: 2000 }).toBe(8);
    controller.abort();
    await sent;
    await expect.poll(() => stack.emulator.requests.filter((r) => r.aborted).length, { timeout: 2000 }).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The ninth branch waited for a slot; it is never asked.
    expect(stack.emulator.requests).toHaveLength(8);
  });
});
