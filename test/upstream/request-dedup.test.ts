/** The per-request DataLoader: identical calls share one upstream call, different ones run in parallel. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { callsOf, OWN_ORDER, UPSTREAMS, type Api } from '../support/upstreams.ts';

/** The calls of the distinct argument sets below. */const DISTINCT_CALLS: Record<Api, string[]> = {
  v1: [
    'per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=0',
    'per_page=10&page=2&sortBy=job_name&order=asc&workspace_id=0',
    'status=8&per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=0',
  ],
  v2: [
    '{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0","filters":[{"key":"phase","operator":"in","value":["Running"]}]}',
    '{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0"}',
    '{"offset":1,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0"}',
  ],
};

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });

  it('makes one upstream call for aliases with the same arguments, defaulted or spelled out', async () => {
    const res = await stack.gql(`{
      a: trainingJobs { totalCount jobs { id } }
      b: trainingJobs(page: 1, perPage: 10, ${OWN_ORDER[api]}, workspaceId: "0", search: "") { jobs { name } }
      c: trainingJobs { pageInfo { totalPages } }
    }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.a.jobs).toHaveLength(10);
    expect(res.body.data?.b.jobs).toHaveLength(10);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  it('makes one call per distinct argument set, all at once', async () => {
    stack.emulator.setFault({ delayMs: 1500 });
    const start = Date.now();
    const pending = stack.gql(`{
      a: trainingJobs(page: 1) { totalCount }
      b: trainingJobs(page: 2) { totalCount }
      c: trainingJobs(status: RUNNING) { totalCount }
      d: trainingJobs(page: 2) { totalCount }
    }`);
    // In parallel, all three calls arrive before the first answer (1.5 s away); in series,
    // the second would only arrive after it.
    while (stack.emulator.requests.length < 3) await new Promise((r) => setTimeout(r, 10));
    expect(Date.now() - start).toBeLessThan(1500);
    const res = await pending;
    expect(res.body.errors).toBeUndefined();
    expect(callsOf(stack.emulator).sort()).toEqual(DISTINCT_CALLS[api]);
  });

  it('never shares a call between two GraphQL requests', async () => {
    await Promise.all([stack.gql('{ trainingJobs { totalCount } }'), stack.gql('{ trainingJobs { totalCount } }')]);
    expect(stack.emulator.requests).toHaveLength(2);
  });

  it('fails only the field whose call failed', async () => {
    const res = await stack.gql(`{ good: trainingJobs { totalCount } bad: trainingJobs(perPage: 0) { totalCount } }`);
    expect(res.body.data?.good.totalCount).toBeGreaterThan(0);
    expect(res.body.data?.bad).toBeNull();
    expect(res.body.errors).toEqual([expect.objectContaining({ path: ['bad'], extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(stack.emulator.requests).toHaveLength(1);
  });
});
