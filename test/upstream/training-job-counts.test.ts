/**
 * trainingJobCounts over real sockets (DESIGN.md "Status groups and counts"), on both
 * upstreams: every status and group counted as the data set holds them (on v2 through the
 * phase projection), search and workspace applied, zeros included, in 24 calls on v1 and 8 on
 * v2, at most 8 at a time, cached like pages; and the operation's upstream-call budget
 * (MAX_UPSTREAM_CALLS), checked before any call, with the fan-out in the metrics.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATUS_GROUPS, statusGroupOf, type StatusGroup } from '../../src/domain.ts';
import { generateJobs } from '../../src/emulator/index.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const JOBS = generateJobs(400, 11);
const COUNTS = `query ($search: String, $workspaceId: ID!) {
  trainingJobCounts(search: $search, workspaceId: $workspaceId) {
    total
    byGroup { group count }
    byStatus { status statusCode count }
  }
}`;

/**
 * The status a job reads on v2: the emulator's phase of its v1 code, then the gateway's
 * projection of that phase (both tables from DESIGN.md, restated here).
 */
const V2_STATUS: Record<number, number> = {};
for (const [code, codes] of Object.entries({ 1: [1, 2, 4, 18], 7: [7], 8: [8, 15, 19], 9: [9], 10: [10, 20], 11: [3, 5, 6, 11, 16, 17, 21, 22, 14, 0], 12: [12, 13] })) {
  for (const v1 of codes) V2_STATUS[v1] = Number(code);
}

/** What the counts must say, from the data set itself. */
function expected(api: Api, workspaceId: string, search = '') {
  const jobs = JOBS.filter((j) => j.workspaceId === workspaceId && j.jobName.toLowerCase().includes(search.toLowerCase()));
  const statusOf = (code: number) => (api === 'v1' ? code : V2_STATUS[code]!);
  const byCode = (code: number) => jobs.filter((j) => statusOf(j.status) === code).length;
  return {
    total: jobs.length,
    byGroup: (Object.keys(STATUS_GROUPS) as StatusGroup[]).map((group) => ({ group, count: jobs.filter((j) => statusGroupOf(statusOf(j.status)) === group).length })),
    byStatus: Array.from({ length: 23 }, (_, code) => expect.objectContaining({ statusCode: code, count: byCode(code) })),
  };
}

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api, emulator: { jobs: JOBS }, cache: { ttlMs: 60_000 } });
  });
  afterAll(() => stack?.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });

  describe('trainingJobCounts', () => {
    it.each([
      ['the default workspace', '0', undefined],
      ['another workspace', 'ws-7f3a', undefined],
      ['a search', '0', 'resnet'],
      ['a search that matches nothing', '0', 'no-such-job-anywhere'],
    ])('counts %s as the data set holds it, zeros included', async (_name, workspaceId, search) => {
      const res = await stack.gql(COUNTS, { workspaceId, search });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!['trainingJobCounts']).toEqual(expected(api, workspaceId, search));
      expect(res.body.data!['trainingJobCounts'].byStatus[8].status).toBe('RUNNING');
    });

    it('asks one call per status with a page of one and one for the total, 8 at a time, then serves them from the cache', async () => {
      stack.emulator.setFault({ delayMs: 100 });
      const res = await stack.gql(COUNTS, { workspaceId: '0', search: 'bert' });
      expect(res.body.errors).toBeUndefined();
      if (api === 'v1') {
        const calls = stack.emulator.requests.map((r) => Object.fromEntries(r.params));
        expect(calls).toHaveLength(24);
        expect(calls.map((c) => c['status'] ?? 'none').sort()).toEqual([...Array.from({ length: 23 }, (_, code) => String(code)), 'none'].sort());
        for (const call of calls) expect(call).toMatchObject({ page: '1', per_page: '1', sortBy: 'job_name', order: 'asc', workspace_id: '0', search_content: 'bert' });
      } else {
        // The bodies byte for byte are in test/upstream/v2-requests.test.ts.
        const calls = stack.emulator.requests.map((r) => JSON.parse(r.body!) as { limit: number; filters: unknown[] });
        expect(calls).toHaveLength(8);
        expect(calls.every((c) => c.limit === 1)).toBe(true);
      }
      expect(stack.emulator.peakInFlight).toBe(8);

      stack.emulator.clearRequests();
      const again = await stack.gql(COUNTS, { workspaceId: '0', search: 'bert' });
      expect(again.body.data).toEqual(res.body.data);
      expect(stack.emulator.requests).toHaveLength(0);
    });

    it('is null as a whole when one of its calls fails, with the lowest failure', async () => {
      // A later call fails at once, an earlier one a moment later: the earlier one's error wins.
      const [late, early] = api === 'v1' ? [{ status: '20' }, { status: '2' }] : [{ phase: 'Completed' }, { phase: 'Creating' }];
      stack.emulator.setFault([
        { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' }, when: late },
        { status: 404, error: { shape: 'apigw', code: 'APIG.0101' }, delayMs: 200, when: early },
      ]);
      const res = await stack.gql(COUNTS, { workspaceId: '0', search: 'fresh-search-uncached' });
      expect(res.body.data).toEqual({ trainingJobCounts: null });
      expect(res.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    });
  });

  describe('the upstream-call budget', () => {
    it('fits the chips: the counts and two group pages of 5', async () => {
      const res = await stack.gql(`{
        trainingJobCounts { total }
        failed: trainingJobs(statusGroup: FAILED, perPage: 5) { totalCount }
        running: trainingJobs(statusGroup: RUNNING, perPage: 5) { totalCount }
      }`);
      expect(res.body.errors).toBeUndefined();
    });

    it('refuses an operation over MAX_UPSTREAM_CALLS before any call, naming the count and the budget', async () => {
      // v1: 24 + 9 + 1 = 34 calls asked for; v2: 8 + 1 + 1 = 10.
      const [asked, budget] = api === 'v1' ? [34, 30] : [10, 9];
      const small = await startStack({ api, maxUpstreamCalls: budget });
      try {
        const res = await small.gql(`query ($deep: Int!) {
          trainingJobCounts { total }
          failed: trainingJobs(statusGroup: FAILED, page: $deep, perPage: 1) { totalCount }
          plain: trainingJobs { totalCount }
        }`, { deep: 2 });
        const message = `This operation would make ${asked} upstream calls; the budget is ${budget} (MAX_UPSTREAM_CALLS).`;
        expect(res.body.data).toEqual({ trainingJobCounts: null, failed: null, plain: null });
        expect(res.body.errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual([
          [message, 'BAD_USER_INPUT'],
          [message, 'BAD_USER_INPUT'],
          [message, 'BAD_USER_INPUT'],
        ]);
        expect(small.emulator.requests).toEqual([]);
        // Within the budget, with @skip applied and a fragment followed.
        const fits = await small.gql(`query ($skip: Boolean!) {
          trainingJobCounts @skip(if: $skip) { total }
          ...F
        }
        fragment F on Query { trainingJobs(statusGroup: FAILED) { totalCount } }`, { skip: true });
        expect(fits.body.errors).toBeUndefined();
      } finally {
        await small.close();
      }
    });

    it('shows the branches per field in gateway_upstream_fanout_branches', async () => {
      await stack.gql('{ trainingJobs(statusGroup: RUNNING) { totalCount } trainingJobCounts(search: "fan") { total } }');
      const metrics = await (await fetch(`${stack.origin}/metrics`)).text();
      if (api === 'v1') {
        expect(metrics).toMatch(/^gateway_upstream_fanout_branches_bucket\{le="2"\} [1-9]/m);
        expect(metrics).toMatch(/^gateway_upstream_fanout_branches_bucket\{le="24"\} [1-9]/m);
      } else {
        // A group is one call on v2; the counts fan out over 8, and so does a page of 101 to 150 jobs.
        expect(metrics).toMatch(/^gateway_upstream_fanout_branches_bucket\{le="4"\} 0$/m);
        expect(metrics).toMatch(/^gateway_upstream_fanout_branches_bucket\{le="8"\} [1-9]/m);
        await stack.gql('{ trainingJobs(perPage: 101) { totalCount } }');
        const after = await (await fetch(`${stack.origin}/metrics`)).text();
        expect(after).toMatch(/^gateway_upstream_fanout_branches_bucket\{le="3"\} 1$/m);
      }
    });
  });
});
