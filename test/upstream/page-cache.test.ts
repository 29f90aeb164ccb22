/** The opt-in page cache (CACHE_TTL_MS): per credential, expiring, sharing concurrent misses. */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { stubClient } from '../support/stub-client.ts';
import { v1Request } from '../../src/upstream/v1/query.ts';
import { OWN_ORDER, UPSTREAMS } from '../support/upstreams.ts';

const QUERY = '{ trainingJobs(perPage: 3) { totalCount jobs { id } } }';
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe.each(UPSTREAMS)('on %s', (api) => {
  it('serves the same caller the same page from the cache within the TTL', async () => {
    stack = await startStack({ api, cache: { ttlMs: 60_000 } });
    const first = await stack.gql(QUERY, undefined, { 'x-auth-token': 'alice' });
    const second = await stack.gql(QUERY, undefined, { 'x-auth-token': 'alice' });
    expect(second.body).toEqual(first.body);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  it('never shares a page between two credentials', async () => {
    stack = await startStack({ api, cache: { ttlMs: 60_000 } });
    await stack.gql(QUERY, undefined, { 'x-auth-token': 'alice' });
    await stack.gql(QUERY, undefined, { 'x-auth-token': 'bob' });
    await stack.gql(QUERY, undefined, { authorization: 'Bearer bob' });
    expect(stack.emulator.requests.map((r) => r.headers['x-auth-token'])).toEqual(['alice', 'bob']);
  });

  it('keys by the normalized arguments: defaults spelled out hit, other arguments miss', async () => {
    stack = await startStack({ api, cache: { ttlMs: 60_000 } });
    await stack.gql(QUERY);
    await stack.gql(`{ trainingJobs(perPage: 3, page: 1, ${OWN_ORDER[api]}, search: "") { totalCount } }`);
    await stack.gql('{ trainingJobs(perPage: 3, page: 2) { totalCount } }');
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('calls the upstream again once the TTL has passed', async () => {
    stack = await startStack({ api, cache: { ttlMs: 200 } });
    await stack.gql(QUERY);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.gql(QUERY);
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('shares one upstream call between concurrent identical misses', async () => {
    stack = await startStack({ api, cache: { ttlMs: 60_000 } });
    stack.emulator.setFault({ delayMs: 300 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => stack!.gql(QUERY)));
    expect(answers.every((a) => a.body.errors === undefined)).toBe(true);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  it('does not cache failures', async () => {
    stack = await startStack({ api, cache: { ttlMs: 60_000 }, maxAttempts: 1 });
    stack.emulator.setFault({ status: 500, error: { shape: 'modelarts', code: 'ModelArts.0010' }, times: 1 });
    expect((await stack.gql(QUERY)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect((await stack.gql(QUERY)).body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(2);
  });
});

it('keeps no credential in its keys (only a hash)', async () => {
  const { withPageCache } = await import('../../src/upstream/cache.ts');
  const seen: string[] = [];
  const client = withPageCache(
    stubClient(async () => ({ jobs: [], totalCount: 0, remainingJobs: null, maxRunningJobs: null, page: 1, perPage: 10 })),
    'p',
    { ttlMs: 1000 },
  );
  const originalSet = Map.prototype.set;
  Map.prototype.set = function (key: unknown, value: unknown) {
    if (typeof key === 'string') seen.push(key);
    return originalSet.call(this, key, value);
  };
  try {
    await client.send(
      v1Request({ status: undefined, page: 1, perPage: 10, sortBy: 'JOB_NAME', order: 'ASC', search: undefined, workspaceId: '0' }),
      { token: 'super-secret-token', requestId: 'r' },
    );
  } finally {
    Map.prototype.set = originalSet;
  }
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.join('\n')).not.toContain('super-secret-token');
});
