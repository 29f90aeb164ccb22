/**
 * Status groups over real sockets (DESIGN.md "Status groups and counts"): group pages against
 * an expectation computed from the emulator's own data and order, every page of a group walked
 * once, and arguments refused before any call, on both upstreams; then v1's branch calls the
 * emulator sees (status, per_page, page, no page past a branch's total, at most 8 in flight).
 * On v2 a group is one `phase in` call (test/upstream/v2-requests.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATUS_GROUPS, type SortField, type StatusGroup } from '../../src/domain.ts';
import { generateJobs, type EmulatorJob } from '../../src/emulator/index.ts';
import { AUTH, startStack, upstreamQueries, type Stack } from '../support/stack.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const JOBS = generateJobs(600, 7);
const BY_ID = new Map(JOBS.map((job) => [String(job.jobId), job]));
const FIELDS: SortField[] = ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME'];
const WIRE: Record<SortField, string> = {
  JOB_NAME: 'job_name', JOB_DESC: 'job_desc', STATUS: 'status', DURATION: 'duration', VERSION_COUNT: 'version_count', CREATE_TIME: 'create_time',
};
const KEY: Record<SortField, (job: EmulatorJob) => string | number> = {
  JOB_NAME: (j) => j.jobName, JOB_DESC: (j) => j.jobDesc, STATUS: (j) => j.status, DURATION: (j) => j.duration,
  VERSION_COUNT: (j) => j.versionCount, CREATE_TIME: (j) => j.createTime,
};

/** Strings by code point, numbers as numbers: how the gateway promises to merge. */
function byKey(x: string | number, y: string | number): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const [a, b] = [[...String(x)].map((c) => c.codePointAt(0)!), [...String(y)].map((c) => c.codePointAt(0)!)];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Each group's phases on v2, from DESIGN.md's projection table. */
const GROUP_PHASES: Record<StatusGroup, string[]> = {
  PENDING: ['Creating', 'Pending'], RUNNING: ['Running'], REVIEW: [], SUCCEEDED: ['Completed'],
  FAILED: ['Failed', 'Abnormal'], STOPPED: ['Terminating', 'Terminated'], UNKNOWN: [],
};
/** The sort orders each upstream takes. */
const ORDERS: Record<Api, Array<readonly [SortField, 'ASC' | 'DESC']>> = {
  v1: FIELDS.flatMap((field) => [[field, 'ASC'], [field, 'DESC']] as const),
  v2: [['CREATE_TIME', 'ASC'], ['CREATE_TIME', 'DESC']],
};

let stack: Stack;
/** One stack per describe, on the upstream given. */
function useStack(api: Api): void {
  beforeAll(async () => {
    stack = await startStack({ api, emulator: { jobs: JOBS } });
  });
  afterAll(() => stack?.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });
}

/** The ids of one status as the emulator itself orders them, read straight from it. */
async function emulatorOrder(code: number, sortBy: SortField, order: 'ASC' | 'DESC', search?: string): Promise<string[]> {
  const params = new URLSearchParams({ status: String(code), per_page: '1000', page: '1', sortBy: WIRE[sortBy], order: order.toLowerCase(), workspace_id: '0' });
  if (search) params.set('search_content', search);
  const res = await fetch(`${stack.emulator.url}/v1/test-project/training-jobs?${params}`, { headers: AUTH });
  return [...(await res.text()).matchAll(/"job_id":(\d+)/g)].map((m) => m[1]!);
}

/** The group's jobs on v2: the emulator's own listing of the group's phases, 50 at a time. */
async function v2Order(group: StatusGroup, order: 'ASC' | 'DESC', search?: string): Promise<string[]> {
  if (GROUP_PHASES[group].length === 0) return [];
  const filters = [{ key: 'phase', operator: 'in', value: GROUP_PHASES[group] }, ...(search ? [{ key: 'name', operator: 'like', value: [search] }] : [])];
  const ids: string[] = [];
  for (let offset = 0; ; offset++) {
    const res = await fetch(`${stack.emulator.url}/v2/test-project/training-job-searches`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ offset, limit: 50, order: order.toLowerCase(), workspace_id: '0', filters }),
    });
    const items = ((await res.json()) as { items: Array<{ metadata: { id: string } }> }).items;
    ids.push(...items.map((i) => i.metadata.id));
    if (items.length < 50) return ids;
  }
}

/** v1: the group's jobs branch by branch in ascending code, then stably sorted by the field alone. */
async function expected(api: Api, group: StatusGroup, sortBy: SortField, order: 'ASC' | 'DESC', search?: string): Promise<string[]> {
  if (api === 'v2') return v2Order(group, order, search);
  const branches = await Promise.all(STATUS_GROUPS[group].map((code) => emulatorOrder(code, sortBy, order, search)));
  const sign = order === 'ASC' ? 1 : -1;
  return branches.flat().sort((a, b) => sign * byKey(KEY[sortBy](BY_ID.get(a)!), KEY[sortBy](BY_ID.get(b)!)));
}

const PAGE = `query ($group: TrainingJobStatusGroup, $page: Int!, $perPage: Int!, $sortBy: TrainingJobSortField!, $order: SortOrder!, $search: String) {
  trainingJobs(statusGroup: $group, page: $page, perPage: $perPage, sortBy: $sortBy, order: $order, search: $search) {
    totalCount
    pageInfo { page perPage totalPages hasNextPage hasPreviousPage }
    quota { remainingJobs maxRunningJobs }
    jobs { id status statusCode statusGroup }
  }
}`;

async function page(group: StatusGroup, sortBy: SortField, order: 'ASC' | 'DESC', pageNo: number, perPage: number, search?: string) {
  const res = await stack.gql(PAGE, { group, page: pageNo, perPage, sortBy, order, search });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!['trainingJobs'];
}

describe.each(UPSTREAMS)('a status group page on %s', (api) => {
  useStack(api);
  it.each(ORDERS[api])('walks FAILED by %s %s: every job once, in the merged order', async (sortBy, order) => {
    const want = await expected(api, 'FAILED', sortBy, order);
    expect(want.length).toBeGreaterThan(40);
    const perPage = 25;
    const walked: string[] = [];
    for (let n = 1; n <= Math.ceil(want.length / perPage); n++) {
      const p = await page('FAILED', sortBy, order, n, perPage);
      expect(p.totalCount).toBe(want.length);
      expect(p.pageInfo).toEqual({ page: n, perPage, totalPages: Math.ceil(want.length / perPage), hasNextPage: n * perPage < want.length, hasPreviousPage: n > 1 });
      walked.push(...p.jobs.map((j: { id: string }) => j.id));
    }
    expect(walked).toEqual(want);
  });

  it.each([
    ['PENDING', 'JOB_NAME', 'ASC', 1, 1],
    ['RUNNING', 'DURATION', 'DESC', 2, 7],
    ['STOPPED', 'CREATE_TIME', 'ASC', 3, 4],
    ['SUCCEEDED', 'VERSION_COUNT', 'DESC', 1, 1000],
    ['REVIEW', 'JOB_DESC', 'ASC', 1, 3],
    ['UNKNOWN', 'STATUS', 'DESC', 1, 10],
  ] as const)('answers %s by %s %s, page %i of %i', async (group, field, order, pageNo, perPage) => {
    // v2 sorts by creation time only.
    const sortBy = api === 'v2' ? 'CREATE_TIME' : field;
    const want = await expected(api, group, sortBy, order);
    const p = await page(group, sortBy, order, pageNo, perPage);
    expect(p.totalCount).toBe(want.length);
    expect(p.jobs.map((j: { id: string }) => j.id)).toEqual(want.slice((pageNo - 1) * perPage, pageNo * perPage));
    for (const job of p.jobs) expect(STATUS_GROUPS[group]).toContain(job.statusCode);
    expect(p.jobs.every((j: { statusGroup: string }) => j.statusGroup === group)).toBe(true);
    expect(p.quota).toEqual(api === 'v1' ? { remainingJobs: 3, maxRunningJobs: 5 } : { remainingJobs: null, maxRunningJobs: null });
  });

  it('applies the search to the whole group', async () => {
    const search = 'bert';
    const want = await expected(api, 'FAILED', 'CREATE_TIME', 'DESC', search);
    expect(want.length).toBeGreaterThan(0);
    const p = await page('FAILED', 'CREATE_TIME', 'DESC', 1, 1000, search);
    expect(p.jobs.map((j: { id: string }) => j.id)).toEqual(want);
    const calls = stack.emulator.requests.map((r) => r.query || r.body!);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((q) => q.includes('search_content=bert') || q.includes('"value":["bert"]'))).toBe(true);
  });
});

describe('the branch calls on v1', () => {
  useStack('v1');
  it('asks each code of the group once for its first page × perPage jobs', async () => {
    await page('FAILED', 'JOB_NAME', 'ASC', 3, 20);
    const calls = stack.emulator.requests.map((r) => Object.fromEntries(r.params));
    expect(calls.map((c) => c['status']).sort((a, b) => Number(a) - Number(b))).toEqual(STATUS_GROUPS.FAILED.map(String));
    for (const call of calls) expect(call).toMatchObject({ per_page: '60', page: '1', sortBy: 'job_name', order: 'asc', workspace_id: '0' });
  });

  it('reads deeper than 1000 in pages of 1000, never past a branch total, and one call for an empty branch', async () => {
    // page 11 × 100: depth 1100, so per_page=1000; no branch holds 1000 jobs, so no page 2.
    const p = await page('FAILED', 'DURATION', 'ASC', 11, 100);
    expect(p.jobs).toEqual([]);
    const calls = stack.emulator.requests.map((r) => Object.fromEntries(r.params));
    expect(calls).toHaveLength(STATUS_GROUPS.FAILED.length);
    for (const call of calls) expect(call).toMatchObject({ per_page: '1000', page: '1' });
  });

  it('has at most 8 calls in flight at the emulator', async () => {
    stack.emulator.setFault({ delayMs: 150 });
    await page('FAILED', 'JOB_NAME', 'ASC', 1, 10);
    expect(stack.emulator.requests).toHaveLength(9);
    expect(stack.emulator.peakInFlight).toBe(8);
  });

  it('shares a branch with an equal page of the same request', async () => {
    const res = await stack.gql(`{
      group: trainingJobs(statusGroup: RUNNING, perPage: 5) { totalCount }
      running: trainingJobs(status: RUNNING, perPage: 5) { totalCount }
    }`);
    expect(res.body.errors).toBeUndefined();
    // RUNNING's branch for code 8 asks per_page=5 page 1: the same call as the plain page.
    expect(upstreamQueries(stack.emulator).sort()).toEqual([
      'status=15&per_page=5&page=1&sortBy=job_name&order=asc&workspace_id=0',
      'status=8&per_page=5&page=1&sortBy=job_name&order=asc&workspace_id=0',
    ]);
  });
});

describe.each(UPSTREAMS)('arguments on %s', (api) => {
  useStack(api);
  it.each([
    ['status with statusGroup', '{ trainingJobs(status: FAILED, statusGroup: FAILED) { totalCount } }', 'Give status or statusGroup, not both.'],
    ['a page past the depth bound', '{ trainingJobs(statusGroup: FAILED, page: 11, perPage: 1000) { totalCount } }', 'With statusGroup, page × perPage must be at most 10000 (got 11000).'],
  ])('refuses %s before any upstream call', async (_name, query, message) => {
    const res = await stack.gql(query);
    expect(res.body.data).toEqual({ trainingJobs: null });
    expect(res.body.errors).toEqual([{ message, path: ['trainingJobs'], locations: expect.any(Array), extensions: { code: 'BAD_USER_INPUT' } }]);
    expect(stack.emulator.requests).toEqual([]);
  });

  it('takes status: null beside a statusGroup as no status', async () => {
    const res = await stack.gql('{ trainingJobs(status: null, statusGroup: SUCCEEDED, page: 10000, perPage: 1) { totalCount } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!['trainingJobs'].totalCount).toBeGreaterThan(0);
  });
});
