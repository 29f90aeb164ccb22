/** The trainingJobs query end to end: the exact upstream call for each argument, and the answer. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultJobs } from '../../src/emulator/index.ts';
import { AUTH, startStack, upstreamQueries, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.clearRequests());

const PAGE = `totalCount
  pageInfo { page perPage totalPages hasNextPage hasPreviousPage }
  quota { remainingJobs maxRunningJobs }
  jobs { id name description status statusCode versionId versionCount createdAt duration }`;

const DEFAULTS = 'per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=0';
const workspace0 = defaultJobs().filter((j) => j.workspaceId === '0');

describe('the upstream request', () => {
  it('sends every defaulted key, the project path and the documented headers', async () => {
    const res = await stack.gql(`{ trainingJobs { totalCount } }`, undefined, {
      ...AUTH,
      'x-request-id': 'req-123',
    });
    expect(res.body.errors).toBeUndefined();
    const [request] = stack.emulator.requests;
    expect(stack.emulator.requests).toHaveLength(1);
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/v1/test-project/training-jobs');
    expect(request?.query).toBe(DEFAULTS);
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      'x-auth-token': 'test-token',
      'x-request-id': 'req-123',
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });

  it.each([
    ['status: RUNNING', `status=8&${DEFAULTS}`],
    ['status: UNKNOWN', `status=0&${DEFAULTS}`],
    ['status: MOUNT_FAILED', `status=22&${DEFAULTS}`],
    ['page: 3', 'per_page=10&page=3&sortBy=job_name&order=asc&workspace_id=0'],
    ['perPage: 50', 'per_page=50&page=1&sortBy=job_name&order=asc&workspace_id=0'],
    ['sortBy: JOB_NAME', DEFAULTS],
    ['sortBy: JOB_DESC', 'per_page=10&page=1&sortBy=job_desc&order=asc&workspace_id=0'],
    ['sortBy: STATUS', 'per_page=10&page=1&sortBy=status&order=asc&workspace_id=0'],
    ['sortBy: DURATION', 'per_page=10&page=1&sortBy=duration&order=asc&workspace_id=0'],
    ['sortBy: VERSION_COUNT', 'per_page=10&page=1&sortBy=version_count&order=asc&workspace_id=0'],
    ['sortBy: CREATE_TIME', 'per_page=10&page=1&sortBy=create_time&order=asc&workspace_id=0'],
    ['order: DESC', 'per_page=10&page=1&sortBy=job_name&order=desc&workspace_id=0'],
    ['order: ASC', DEFAULTS],
    ['search: "job"', 'per_page=10&page=1&sortBy=job_name&order=asc&search_content=job&workspace_id=0'],
    ['search: ""', DEFAULTS],
    ['search: " Bert base "', 'per_page=10&page=1&sortBy=job_name&order=asc&search_content=%20Bert%20base%20&workspace_id=0'],
    ['search: "一 (&=?!#%.*)"', 'per_page=10&page=1&sortBy=job_name&order=asc&search_content=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&workspace_id=0'],
    ['workspaceId: "ws-7f3a"', 'per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=ws-7f3a'],
    ['workspaceId: 0', DEFAULTS],
    [
      'status: WAITING, perPage: 10, page: 1, sortBy: JOB_NAME, order: ASC, search: "job"',
      'status=7&per_page=10&page=1&sortBy=job_name&order=asc&search_content=job&workspace_id=0',
    ],
  ])('maps %s to the query %s', async (args, query) => {
    const res = await stack.gql(`{ trainingJobs(${args}) { totalCount } }`);
    expect(res.body.errors).toBeUndefined();
    expect(upstreamQueries(stack.emulator)).toEqual([query]);
  });

  it('takes arguments from variables exactly as from literals', async () => {
    const res = await stack.gql(
      `query($s: TrainingJobStatus, $p: Int!, $n: Int!, $by: TrainingJobSortField!, $o: SortOrder!, $q: String, $w: ID!) {
        trainingJobs(status: $s, page: $p, perPage: $n, sortBy: $by, order: $o, search: $q, workspaceId: $w) { totalCount }
      }`,
      { s: 'FAILED', p: 2, n: 5, by: 'DURATION', o: 'DESC', q: 'resnet', w: '0' },
    );
    expect(res.body.errors).toBeUndefined();
    expect(upstreamQueries(stack.emulator)).toEqual([
      'status=11&per_page=5&page=2&sortBy=duration&order=desc&search_content=resnet&workspace_id=0',
    ]);
  });
});

describe('the answer', () => {
  it('maps the seed sample job exactly: enum, RFC 3339 time, ISO 8601 duration', async () => {
    const res = await stack.gql(`{ trainingJobs(search: "testModelArtsJob") { ${PAGE} } }`);
    expect(res.body).toEqual({
      data: {
        trainingJobs: {
          totalCount: 1,
          pageInfo: { page: 1, perPage: 10, totalPages: 1, hasNextPage: false, hasPreviousPage: false },
          quota: { remainingJobs: 3, maxRunningJobs: 5 },
          jobs: [
            {
              id: '10',
              name: 'testModelArtsJob',
              description: 'This is ModelArts job',
              status: 'COMPLETED',
              statusCode: 10,
              versionId: '10',
              versionCount: 5,
              createdAt: '2018-04-20T02:06:30.635Z',
              duration: 'PT8M52.003S',
            },
          ],
        },
      },
    });
  });

  it('keeps 64-bit ids exact to the last digit', async () => {
    const res = await stack.gql(`{ trainingJobs(perPage: 1000) { jobs { id versionId } } }`);
    const ids = new Set(res.body.data?.trainingJobs.jobs.flatMap((j: any) => [j.id, j.versionId]));
    const big = workspace0.filter((j) => j.jobId > BigInt(Number.MAX_SAFE_INTEGER));
    expect(big.length).toBeGreaterThan(0);
    for (const job of big) expect(ids).toContain(job.jobId.toString());
    expect(ids).toContain('9223372036854775807');
    expect(ids).toContain('9007199254740993');
  });

  it('reads an unknown status code as UNKNOWN with the raw statusCode, and absent quota as null', async () => {
    const odd = { ...workspace0[0]!, jobId: 77n, status: 42 };
    const other = await startStack({ emulator: { jobs: [odd], jobCountLimit: null, quotas: null } });
    try {
      const res = await other.gql(`{ trainingJobs { quota { remainingJobs maxRunningJobs } jobs { id status statusCode } } }`);
      expect(res.body).toEqual({
        data: {
          trainingJobs: {
            quota: { remainingJobs: null, maxRunningJobs: null },
            jobs: [{ id: '77', status: 'UNKNOWN', statusCode: 42 }],
          },
        },
      });
    } finally {
      await other.close();
    }
  });
});

describe('paging', () => {
  const total = workspace0.length;
  const pages = (perPage: number) => Math.ceil(total / perPage);

  it.each([
    ['the first page', 1, 10, 10, true, false],
    ['a middle page', 2, 10, 10, true, true],
    ['the last, partial page', pages(7), 7, total - (pages(7) - 1) * 7, false, true],
    ['a page past the end', pages(10) + 1, 10, 0, false, true],
    ['the last page allowed', 65535, 10, 0, false, true],
    ['perPage 1', 1, 1, 1, true, false],
    ['perPage 1000', 1, 1000, total, false, false],
  ])('answers %s', async (_name, page, perPage, count, hasNext, hasPrevious) => {
    const res = await stack.gql(
      `query($page: Int!, $perPage: Int!) { trainingJobs(page: $page, perPage: $perPage) { ${PAGE} } }`,
      { page, perPage },
    );
    const data = res.body.data?.trainingJobs;
    expect(res.body.errors).toBeUndefined();
    expect(data.jobs).toHaveLength(count);
    expect(data.totalCount).toBe(total);
    expect(data.pageInfo).toEqual({
      page,
      perPage,
      totalPages: pages(perPage),
      hasNextPage: hasNext,
      hasPreviousPage: hasPrevious,
    });
    expect(upstreamQueries(stack.emulator)).toEqual([
      `per_page=${perPage}&page=${page}&sortBy=job_name&order=asc&workspace_id=0`,
    ]);
  });

  it('reports zero pages when nothing matches', async () => {
    const res = await stack.gql(`{ trainingJobs(search: "no job is called this") { totalCount jobs { id } pageInfo { totalPages hasNextPage hasPreviousPage } } }`);
    expect(res.body.data?.trainingJobs).toEqual({
      totalCount: 0,
      jobs: [],
      pageInfo: { totalPages: 0, hasNextPage: false, hasPreviousPage: false },
    });
  });

  it('walks every page once, in order, with no job twice', async () => {
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await stack.gql(`{ trainingJobs(page: ${page}, perPage: 50) { jobs { id } pageInfo { hasNextPage } } }`);
      seen.push(...res.body.data?.trainingJobs.jobs.map((j: any) => j.id));
      if (!res.body.data?.trainingJobs.pageInfo.hasNextPage) break;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });
});

describe('sorting and search', () => {
  const FIELDS = ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME'] as const;
  const key = {
    JOB_NAME: (j: any) => j.name,
    JOB_DESC: (j: any) => j.description,
    STATUS: (j: any) => j.statusCode,
    DURATION: (j: any) => j.durationMs,
    VERSION_COUNT: (j: any) => j.versionCount,
    CREATE_TIME: (j: any) => Date.parse(j.createdAt),
  };

  it.each(FIELDS)('keeps the upstream order by %s in both directions', async (field) => {
    const query = `query($o: SortOrder!) { trainingJobs(sortBy: ${field}, order: $o, perPage: 1000) {
      jobs { id name description statusCode createdAt duration versionCount } } }`;
    const asc = (await stack.gql(query, { o: 'ASC' })).body.data?.trainingJobs.jobs;
    const desc = (await stack.gql(query, { o: 'DESC' })).body.data?.trainingJobs.jobs;
    expect(asc).toHaveLength(workspace0.length);
    expect(desc.map((j: any) => j.id)).toEqual([...asc].reverse().map((j: any) => j.id));
    const values = asc.map((j: any) => key[field]({ ...j, durationMs: j.duration }));
    if (field !== 'DURATION') {
      for (let i = 1; i < values.length; i++) expect(values[i - 1] <= values[i]).toBe(true);
    }
    const wire = field.toLowerCase();
    expect(upstreamQueries(stack.emulator)).toEqual([
      `per_page=1000&page=1&sortBy=${wire}&order=asc&workspace_id=0`,
      `per_page=1000&page=1&sortBy=${wire}&order=desc&workspace_id=0`,
    ]);
  });

  it('finds jobs by part of their name, ignoring case', async () => {
    const res = await stack.gql(`{ trainingJobs(search: "bert", perPage: 1000) { totalCount jobs { name } } }`);
    const expected = workspace0.filter((j) => j.jobName.toLowerCase().includes('bert'));
    expect(expected.length).toBeGreaterThan(1);
    expect(res.body.data?.trainingJobs.totalCount).toBe(expected.length);
    for (const job of res.body.data?.trainingJobs.jobs) expect(job.name.toLowerCase()).toContain('bert');
  });

  it('filters by status', async () => {
    const res = await stack.gql(`{ trainingJobs(status: FAILED, perPage: 1000) { jobs { status statusCode } } }`);
    const jobs = res.body.data?.trainingJobs.jobs;
    expect(jobs.length).toBe(workspace0.filter((j) => j.status === 11).length);
    expect(jobs.every((j: any) => j.status === 'FAILED' && j.statusCode === 11)).toBe(true);
  });
});
