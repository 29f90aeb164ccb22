/** Rate limiting per caller: a token bucket keyed by the credential, else the client address. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/upstream/rate-limit.ts';
import { startStack, type Stack } from '../support/stack.ts';

describe('createRateLimiter', () => {
  it('lets a burst through, then refills at the rate', () => {
    let t = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => t });
    expect([1, 2, 3].map(() => limiter.take('alice', '1.2.3.4'))).toEqual([0, 0, 0]);
    expect(limiter.take('alice', '1.2.3.4')).toBe(1);
    t = 500;
    expect(limiter.take('alice', '1.2.3.4')).toBe(0);
    expect(limiter.take('alice', '1.2.3.4')).toBe(1);
  });

  it('keeps callers apart: by credential, else by address', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take('alice', 'x')).toBe(0);
    expect(limiter.take('alice', 'y')).toBe(1); // same credential, other address
    expect(limiter.take('bob', 'x')).toBe(0);
    expect(limiter.take(undefined, '10.0.0.1')).toBe(0);
    expect(limiter.take(undefined, '10.0.0.1')).toBe(1);
    expect(limiter.take(undefined, '10.0.0.2')).toBe(0);
  });

  it('is off at rate 0', () => {
    const limiter = createRateLimiter({ perSecond: 0, burst: 1 });
    expect(Array.from({ length: 100 }, () => limiter.take('a', 'b')).every((w) => w === 0)).toBe(true);
  });
});

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

it('answers RATE_LIMITED with Retry-After over the rate, without calling the upstream', async () => {
  stack = await startStack({ rateLimit: { perSecond: 1, burst: 2 } });
  const query = '{ trainingJobs { totalCount } }';
  const answers = await Promise.all([1, 2, 3].map(() => stack!.gql(query, undefined, { 'x-auth-token': 'alice' })));
  expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
  const refused = answers.find((a) => a.status === 429)!;
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED' });
  expect(stack.emulator.requests).toHaveLength(2);
  // Another caller is not affected.
  expect((await stack.gql(query, undefined, { 'x-auth-token': 'bob' })).status).toBe(200);
});
