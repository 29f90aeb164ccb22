/**
 * What the gateway sends to ModelArts v2 (DESIGN.md "The ModelArts v2 upstream"): the body of
 * every argument combination byte for byte, the covering calls of pages beyond 50 jobs under
 * both readings of `offset`, and no call beyond what a page needs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateJobs } from '../../src/emulator/index.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';
import { STATUS_NAMES } from '../support/contract.ts';

const bodies = (stack: Stack) => stack.emulator.requests.map((r) => r.body);
/** The body the gateway must send, written out here rather than built by the code under test. */
const body = (o: { offset?: number; limit?: number; order?: string; ws?: string; phases?: string[]; name?: string } = {}) => {
  const filters = [
    ...(o.phases ? [`{"key":"phase","operator":"in","value":${JSON.stringify(o.phases)}}`] : []),
    ...(o.name !== undefined ? [`{"key":"name","operator":"like","value":[${JSON.stringify(o.name)}]}`] : []),
  ];
  return (
    `{"offset":${o.offset ?? 0},"limit":${o.limit ?? 10},"sort_by":"create_time","order":"${o.order ?? 'desc'}",` +
    `"workspace_id":${JSON.stringify(o.ws ?? '0')}${filters.length ? `,"filters":[${filters.join(',')}]` : ''}}`
  );
};

describe('v2 request bodies', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api: 'v2' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('sends the documented example shape, keys in order, with the JSON content type, by POST', async () => {
    const res = await stack.gql('{ trainingJobs { totalCount } }');
    expect(res.body.errors).toBeUndefined();
    const [request] = stack.emulator.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v2/test-project/training-job-searches');
    expect(request?.query).toBe('');
    expect(request?.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(request?.body).toBe('{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0"}');
  });

  // Every status and group, with the phases DESIGN.md's projection sends for it (none: no call).
  const PHASES_OF_CODE: Record<number, string[]> = { 1: ['Creating'], 7: ['Pending'], 8: ['Running'], 9: ['Terminating'], 10: ['Completed'], 11: ['Failed', 'Abnormal'], 12: ['Terminated'] };
  const GROUP_PHASES: Record<string, string[]> = {
    PENDING: ['Creating', 'Pending'], RUNNING: ['Running'], REVIEW: [], SUCCEEDED: ['Completed'],
    FAILED: ['Failed', 'Abnormal'], STOPPED: ['Terminating', 'Terminated'], UNKNOWN: [],
  };
  const STATUSES: Array<[string, string[] | undefined]> = [
    ['', undefined],
    ...STATUS_NAMES.map((name, code) => [`status: ${name}`, PHASES_OF_CODE[code] ?? []] as [string, string[]]),
    ...Object.entries(GROUP_PHASES).map(([group, phases]) => [`statusGroup: ${group}`, phases] as [string, string[]]),
  ];
  const SEARCHES: Array<[string, string | undefined]> = [
    ['', undefined],
    ['search: ""', undefined],
    ['search: "bert"', 'bert'],
    // Sent as given: no escaping of the like pattern's % and _ (DESIGN.md).
    ['search: "50%_x"', '50%_x'],
    ['search: "中文 \\"q\\" \\\\ 🚀"', '中文 "q" \\ 🚀'],
  ];
  const ORDERS: Array<[string, string]> = [
    ['', 'desc'],
    ['order: ASC', 'asc'],
    ['order: DESC, sortBy: CREATE_TIME', 'desc'],
  ];
  const WORKSPACES: Array<[string, string]> = [
    ['', '0'],
    ['workspaceId: "ws-7f3a"', 'ws-7f3a'],
  ];
  const PAGES: Array<[string, number, number]> = [
    ['', 0, 10],
    ['page: 3, perPage: 7', 2, 7],
    ['perPage: 50', 0, 50],
  ];
  const combos = STATUSES.flatMap((s) => SEARCHES.flatMap((q) => ORDERS.flatMap((o) => WORKSPACES.flatMap((w) => PAGES.map((p) => [s, q, o, w, p] as const)))));

  it(`sends every one of ${combos.length} argument combinations as its exact body`, async () => {
    // Fifteen fields an operation (MAX_ALIASES), each its own call.
    for (let i = 0; i < combos.length; i += 15) {
      const slice = combos.slice(i, i + 15);
      const fields = slice.map(([s, q, o, w, p], k) => {
        const args = [s[0], q[0], o[0], w[0], p[0]].filter((a) => a !== '').join(', ');
        return `f${k}: trainingJobs${args ? `(${args})` : ''} { totalCount }`;
      });
      stack.emulator.clearRequests();
      const res = await stack.gql(`{ ${fields.join('\n')} }`, undefined, AUTH);
      expect(res.body.errors).toBeUndefined();
      // A status or group no phase projects to answers empty without a call.
      const called = slice.filter(([s]) => s[1] === undefined || s[1].length > 0);
      const expected = new Set(called.map(([s, q, o, w, p]) => body({ phases: s[1], name: q[1], order: o[1], ws: w[1], offset: p[1], limit: p[2] })));
      expect(new Set(bodies(stack))).toEqual(expected);
      // Identical bodies (say `search: ""` and no search) are one call.
      expect(stack.emulator.requests).toHaveLength(expected.size);
    }
  });

  it('treats omitted and spelled-out defaults as one call', async () => {
    const res = await stack.gql(`{
      a: trainingJobs { totalCount }
      b: trainingJobs(sortBy: CREATE_TIME, order: DESC, page: 1, perPage: 10, workspaceId: "0", search: "") { totalCount }
      c: trainingJobs(sortBy: null, order: null, status: null) { totalCount }
      d: trainingJobs(status: FAILED) { totalCount }
      e: trainingJobs(statusGroup: FAILED) { totalCount }
    }`);
    expect(res.body.errors).toBeUndefined();
    // On v2 a status and the group with the same phases are the same call.
    expect(bodies(stack).sort()).toEqual([body(), body({ phases: ['Failed', 'Abnormal'] })].sort());
    expect(res.body.data?.d.totalCount).toBe(res.body.data?.e.totalCount);
  });

  it.each(['status: CHECK_RUNNING', 'status: IMAGE_FAILED', 'status: UNKNOWN', 'statusGroup: REVIEW', 'statusGroup: UNKNOWN'])(
    'answers %s, which no phase projects to, with an empty page and no call',
    async (args) => {
      const res = await stack.gql(`{ trainingJobs(${args}, page: 2) { totalCount jobs { id } pageInfo { page totalPages hasNextPage } } }`);
      expect(res.body).toEqual({ data: { trainingJobs: { totalCount: 0, jobs: [], pageInfo: { page: 2, totalPages: 0, hasNextPage: false } } } });
      expect(stack.emulator.requests).toHaveLength(0);
    },
  );

  it.each(['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT'])('refuses sortBy %s before any call, naming CREATE_TIME', async (field) => {
    const res = await stack.gql(`{ trainingJobs(sortBy: ${field}) { totalCount } }`);
    expect(res.body.data).toEqual({ trainingJobs: null });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(res.body.errors?.[0]?.message).toContain('CREATE_TIME');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('reads the counts from `count` with limit 1: one call per projected status and one for the total', async () => {
    const res = await stack.gql('{ trainingJobCounts(search: "a", workspaceId: "0") { total byStatus { statusCode count } byGroup { group count } } }');
    expect(res.body.errors).toBeUndefined();
    const phaseSets = [['Creating'], ['Pending'], ['Running'], ['Terminating'], ['Completed'], ['Failed', 'Abnormal'], ['Terminated'], undefined];
    expect(bodies(stack).sort()).toEqual(phaseSets.map((phases) => body({ limit: 1, phases, name: 'a' })).sort());
    const counts = res.body.data?.trainingJobCounts;
    const nonZero = counts.byStatus.filter((s: { count: number }) => s.count > 0).map((s: { statusCode: number }) => s.statusCode);
    expect(nonZero.every((code: number) => [1, 7, 8, 9, 10, 11, 12].includes(code))).toBe(true);
    // Each status's count is what a page of it reports.
    const pages = await stack.gql('{ r: trainingJobs(status: RUNNING, search: "a") { totalCount } f: trainingJobs(status: FAILED, search: "a") { totalCount } all: trainingJobs(search: "a") { totalCount } }');
    expect(counts.byStatus[8].count).toBe(pages.body.data?.r.totalCount);
    expect(counts.byStatus[11].count).toBe(pages.body.data?.f.totalCount);
    expect(counts.total).toBe(pages.body.data?.all.totalCount);
  });
});

/** The jobs of workspace "0" newest first, read straight from the emulator 50 at a time. */
async function reference(stack: Stack, reading: 'page' | 'record'): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; ; k++) {
    const res = await fetch(`${stack.emulator.url}/v2/test-project/training-job-searches`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: body({ offset: reading === 'page' ? k : k * 50, limit: 50 }),
    });
    const items = ((await res.json()) as { items: Array<{ metadata: { id: string } }> }).items;
    ids.push(...items.map((item) => item.metadata.id));
    if (items.length < 50) return ids;
  }
}

describe.each(['page', 'record'] as const)('v2 paging, offset read as a %s index', (reading) => {
  let stack: Stack;
  let all: string[];
  beforeAll(async () => {
    stack = await startStack({ api: 'v2', v2Offset: reading });
    all = await reference(stack, reading);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  const calls = () =>
    stack.emulator.requests.map((r) => JSON.parse(r.body!) as { offset: number; limit: number }).sort((x, y) => x.offset - y.offset).map((c) => [c.offset, c.limit]);
  // page, perPage, then the [offset, limit] of every call under each reading (208 jobs in all).
  const CASES: Array<[number, number, { page: number[][]; record: number[][] }]> = [
    [3, 1, { page: [[2, 1]], record: [[2, 1]] }],
    [2, 10, { page: [[1, 10]], record: [[10, 10]] }],
    [1, 50, { page: [[0, 50]], record: [[0, 50]] }],
    [5, 50, { page: [[4, 50]], record: [[200, 50]] }],
    [1, 51, { page: [[0, 50], [1, 50]], record: [[0, 50], [50, 1]] }],
    [2, 51, { page: [[1, 50], [2, 50]], record: [[51, 50], [101, 1]] }],
    [2, 99, { page: [[1, 50], [2, 50], [3, 50]], record: [[99, 50], [149, 49]] }],
    // Across the last page: job 207 is the last, so nothing is asked from job 208 on.
    [3, 99, { page: [[3, 50], [4, 50]], record: [[198, 50]] }],
    [1, 1000, { page: [[0, 50], [1, 50], [2, 50], [3, 50], [4, 50]], record: [[0, 50], [50, 50], [100, 50], [150, 50], [200, 50]] }],
    // Past the end: the first call alone says there is nothing.
    [2, 1000, { page: [[20, 50]], record: [[1000, 50]] }],
  ];

  it.each(CASES)('page %i of perPage %i makes exactly the calls it needs', async (page, perPage, expected) => {
    const res = await stack.gql(`{ trainingJobs(page: ${page}, perPage: ${perPage}) { totalCount jobs { id } pageInfo { totalPages } } }`);
    expect(res.body.errors).toBeUndefined();
    const got = res.body.data?.trainingJobs;
    expect(got.totalCount).toBe(all.length);
    expect(got.jobs.map((j: { id: string }) => j.id)).toEqual(all.slice((page - 1) * perPage, page * perPage));
    expect(calls()).toEqual(expected[reading]);
  });
});

describe('v2 paging over a thousand jobs', () => {
  let stack: Stack;
  beforeAll(async () => {
    const jobs = generateJobs(2400, 7).map((job) => ({ ...job, workspaceId: '0' }));
    stack = await startStack({ api: 'v2', emulator: { jobs } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFault(null);
    stack.emulator.clearRequests();
  });

  it('reads perPage 1000 in 20 calls, at most 8 at once, sliced in order', async () => {
    stack.emulator.setFault({ delayMs: 30 });
    const res = await stack.gql('{ one: trainingJobs(perPage: 1000) { jobs { createdAt } } }');
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(20);
    expect(stack.emulator.peakInFlight).toBeLessThanOrEqual(8);
    const times = res.body.data?.one.jobs.map((j: { createdAt: string }) => Date.parse(j.createdAt));
    expect(times).toHaveLength(1000);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('reads perPage 999 page 2 (jobs 999..1997) in 21 calls, and counts them against MAX_UPSTREAM_CALLS', async () => {
    const res = await stack.gql('{ trainingJobs(page: 2, perPage: 999) { jobs { id } } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.trainingJobs.jobs).toHaveLength(999);
    expect(stack.emulator.requests.map((r) => JSON.parse(r.body!).offset).sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, k) => 19 + k),
    );
    const small = await startStack({ api: 'v2', maxUpstreamCalls: 20, emulator: { jobs: [] } });
    try {
      const refused = await small.gql('{ a: trainingJobs(page: 2, perPage: 999) { totalCount } }');
      expect(refused.body.errors?.[0]?.message).toBe('This operation would make 21 upstream calls; the budget is 20 (MAX_UPSTREAM_CALLS).');
      const counts = await small.gql('{ a: trainingJobCounts { total } b: trainingJobCounts(search: "x") { total } c: trainingJobCounts(search: "y") { total } }');
      expect(counts.body.errors?.[0]?.message).toBe('This operation would make 24 upstream calls; the budget is 20 (MAX_UPSTREAM_CALLS).');
      expect(small.emulator.requests).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});
