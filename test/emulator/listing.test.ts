// The emulator's listing over fetch: sorting, filtering, searching and paging checked against an
// order computed independently of the emulator, the JSON it writes, and every malformed query
// parameter answered with a 400.
import { describe, expect, it } from 'vitest';
import { defaultJobs } from '../../src/emulator/index.ts';
import type { EmulatorJob } from '../../src/emulator/index.ts';
import { HEX32, PATH, call, raw, useEmulator } from './support.ts';
import type { Reply } from './support.ts';

const SORT_KEYS = ['job_name', 'job_desc', 'status', 'duration', 'version_count', 'create_time'] as const;
type SortKey = (typeof SORT_KEYS)[number];

interface WireJob {
  job_id: number;
  job_name: string;
  version_id: number;
  status: number;
  create_time: number;
  duration: number;
  job_desc: string;
  version_count: number;
}

const jobsOf = (reply: Reply): WireJob[] => reply.body['jobs'] as WireJob[];

/** Ids straight from the text: JSON.parse would round those above 2^53. */
function idsOf(text: string): bigint[] {
  return [...text.matchAll(/"job_id":(\d+)/g)].map((m) => BigInt(m[1] as string));
}

const FIELD: Record<SortKey, (job: EmulatorJob) => string | number> = {
  job_name: (j) => j.jobName,
  job_desc: (j) => j.jobDesc,
  status: (j) => j.status,
  duration: (j) => j.duration,
  version_count: (j) => j.versionCount,
  create_time: (j) => j.createTime,
};

/** Strings by Unicode code point (a binary UTF-8 collation), numbers as numbers. */
function byKey(x: string | number, y: string | number): number {
  if (typeof x === 'string' && typeof y === 'string') {
    const [a, b] = [[...x].map((c) => c.codePointAt(0)!), [...y].map((c) => c.codePointAt(0)!)];
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The expected id order, computed independently of the emulator's own listing code. */
function expectedIds(
  jobs: readonly EmulatorJob[],
  opts: { sortBy?: SortKey; order?: 'asc' | 'desc'; workspace?: string; status?: number; search?: string } = {},
): bigint[] {
  const key = FIELD[opts.sortBy ?? 'job_name'];
  const rows = jobs
    .filter((j) => j.workspaceId === (opts.workspace ?? '0'))
    .filter((j) => opts.status === undefined || j.status === opts.status)
    .filter((j) => j.jobName.toLowerCase().includes((opts.search ?? '').toLowerCase()))
    .sort((a, b) => {
      const c = byKey(key(a), key(b));
      if (c !== 0) return c;
      return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
    });
  if (opts.order === 'desc') rows.reverse();
  return rows.map((j) => j.jobId);
}

const jobs = defaultJobs();
const inDefaultWorkspace = jobs.filter((j) => j.workspaceId === '0').length;

useEmulator();

describe('listing', () => {
  it('answers the defaults: 10 jobs of page 1 sorted by job_name ascending', async () => {
    const reply = await call();
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(['is_success', 'job_total_count', 'job_count_limit', 'quotas', 'jobs']);
    expect(reply.body).toMatchObject({ is_success: true, job_total_count: inDefaultWorkspace, job_count_limit: 3, quotas: 5 });
    expect(idsOf(reply.text)).toEqual(expectedIds(jobs).slice(0, 10));
    expect(Object.keys(jobsOf(reply)[0] ?? {})).toEqual([
      'job_id', 'job_name', 'version_id', 'status', 'create_time', 'duration', 'job_desc', 'version_count',
    ]);
  });

  it('sends JSON with a correct length, a fresh request id and keep-alive', async () => {
    const [a, b] = await Promise.all([call(), call()]);
    expect(a?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(a?.headers.get('content-length'))).toBe(Buffer.byteLength(a?.text ?? ''));
    expect(a?.headers.get('x-request-id')).toMatch(HEX32);
    expect(a?.headers.get('x-request-id')).not.toBe(b?.headers.get('x-request-id'));
    expect(a?.headers.get('connection')).toBe('keep-alive');
  });

  it.each(SORT_KEYS)('sorts by %s ascending with a job_id tie-break', async (sortBy) => {
    const reply = await call(`sortBy=${sortBy}&per_page=1000`);
    expect(idsOf(reply.text)).toEqual(expectedIds(jobs, { sortBy }));
    const values = jobsOf(reply).map((j) => j[sortBy]);
    expect(values.every((v, i) => i === 0 || (values[i - 1] as string | number) <= v)).toBe(true);
  });

  it.each(SORT_KEYS)('sorts by %s descending as the exact reverse of ascending', async (sortBy) => {
    const asc = idsOf((await call(`sortBy=${sortBy}&order=asc&per_page=1000`)).text);
    const desc = idsOf((await call(`sortBy=${sortBy}&order=desc&per_page=1000`)).text);
    expect(desc).toHaveLength(inDefaultWorkspace);
    expect(desc).toEqual([...asc].reverse());
  });

  it('compares names by code unit, so upper case sorts before lower case', async () => {
    const names = jobsOf(await call('per_page=1000')).map((j) => j.job_name);
    expect(names.findIndex((n) => /^[a-z]/.test(n))).toBeGreaterThan(names.findLastIndex((n) => /^[A-Z]/.test(n)));
  });

  it('filters by status, 0 included, and answers an unknown code with no jobs', async () => {
    for (const status of [0, 7, 10, 22]) {
      const reply = await call(`status=${status}&per_page=1000`);
      expect(idsOf(reply.text)).toEqual(expectedIds(jobs, { status }));
      expect(reply.body['job_total_count']).toBeGreaterThan(0);
      expect(jobsOf(reply).every((j) => j.status === status)).toBe(true);
    }
    const none = await call('status=99');
    expect(none.body).toMatchObject({ job_total_count: 0, jobs: [] });
  });

  it('searches job names case-insensitively', async () => {
    const lower = await call('search_content=resnet&per_page=1000');
    const upper = await call('search_content=RESNET&per_page=1000');
    expect(idsOf(upper.text)).toEqual(idsOf(lower.text));
    expect(idsOf(lower.text)).toEqual(expectedIds(jobs, { search: 'resnet' }));
    expect(jobsOf(lower).some((j) => j.job_name.startsWith('ResNet'))).toBe(true);
    expect(lower.body['job_total_count']).toBeLessThan(inDefaultWorkspace);
  });

  it('treats an empty search as no filter and matches astral characters', async () => {
    expect((await call('search_content=')).body['job_total_count']).toBe(inDefaultWorkspace);
    const rocket = await call(`search_content=${encodeURIComponent('🚀')}`);
    expect(jobsOf(rocket).map((j) => j.job_name)).toEqual(['Emoji-🚀-launch-detector']);
  });

  it('accepts a search of 64 code points and rejects 65', async () => {
    const ok = await call(`search_content=${encodeURIComponent('🚀'.repeat(64))}`); // 128 UTF-16 units
    expect(ok.status).toBe(200);
    expect((await call(`search_content=${'a'.repeat(64)}`)).status).toBe(200);
    const tooLong = await call(`search_content=${encodeURIComponent('🚀'.repeat(65))}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body['error_code']).toBe('ModelArts.2764');
  });

  it('answers the seed example request', async () => {
    const reply = await call('status=7&per_page=10&page=1&sortBy=job_name&order=asc&search_content=job');
    expect(reply.status).toBe(200);
    expect(idsOf(reply.text)).toEqual(expectedIds(jobs, { status: 7, search: 'job' }).slice(0, 10));
  });

  it('pages: first, last partial, past the end, per_page 1 and 1000', async () => {
    const all = expectedIds(jobs);
    const lastPage = Math.ceil(all.length / 7);
    expect(all.length % 7).not.toBe(0); // so the last page is partial
    expect(idsOf((await call('per_page=7&page=1')).text)).toEqual(all.slice(0, 7));
    const last = await call(`per_page=7&page=${lastPage}`);
    expect(idsOf(last.text)).toEqual(all.slice((lastPage - 1) * 7));
    const past = await call(`per_page=7&page=${lastPage + 1}`);
    expect(past.body).toMatchObject({ job_total_count: all.length, jobs: [] });
    expect((await call('page=65535')).body).toMatchObject({ job_total_count: all.length, jobs: [] });
    expect(idsOf((await call('per_page=1&page=2')).text)).toEqual(all.slice(1, 2));
    expect(idsOf((await call('per_page=1000')).text)).toEqual(all);
  });

  it('reassembles the full list from consecutive pages', async () => {
    const pages: bigint[] = [];
    for (let page = 1; page <= Math.ceil(inDefaultWorkspace / 25); page++) {
      pages.push(...idsOf((await call(`per_page=25&page=${page}&sortBy=duration&order=desc`)).text));
    }
    expect(pages).toEqual(expectedIds(jobs, { sortBy: 'duration', order: 'desc' }));
  });

  it('filters by workspace and rejects a workspace with no jobs', async () => {
    const other = await call('workspace_id=ws-7f3a&per_page=1000');
    expect(idsOf(other.text)).toEqual(expectedIds(jobs, { workspace: 'ws-7f3a' }));
    expect(other.body['job_total_count']).toBeGreaterThan(0);
    expect((await call('workspace_id=0')).body['job_total_count']).toBe(inDefaultWorkspace);
    const missing = await call('workspace_id=ws-nope');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ is_success: false, error_code: 'ModelArts.0102', error_message: 'workspace does not exist' });
  });

  it('uses the first of repeated keys and ignores unknown keys', async () => {
    const reply = await call('per_page=2&per_page=5&page=1&page=0&colour=blue');
    expect(reply.status).toBe(200);
    expect(jobsOf(reply)).toHaveLength(2);
  });

  it('writes ids above 2^53 with every digit', async () => {
    const { text } = await call('per_page=1000');
    expect(text).toContain('"job_id":9007199254740993,');
    expect(text).toContain('"job_id":9223372036854775807,');
    expect(text).toContain('"version_id":9223372036854775806,');
    expect(idsOf(text)).toContain(9223372036854775807n);
  });

  it('escapes strings correctly', async () => {
    const reply = await call(`search_content=${encodeURIComponent('中文票据')}`);
    expect(jobsOf(reply)[0]?.job_desc).toBe('Path "C:\\data\\ocr"\nsecond line\ttabbed');
    expect(jobsOf(reply)[0]?.job_name).toBe('ocr-中文票据-识别-v2');
  });
});

describe('bad parameters', () => {
  const perPage = 'Invalid query parameter: per_page must be an integer between 1 and 1000';
  const page = 'Invalid query parameter: page must be an integer between 1 and 65535';
  it.each([
    ['per_page=0', 'ModelArts.2764', perPage],
    ['per_page=1001', 'ModelArts.2764', perPage],
    ['per_page=abc', 'ModelArts.2764', perPage],
    ['per_page=1.5', 'ModelArts.2764', perPage],
    ['per_page=1e3', 'ModelArts.2764', perPage],
    ['per_page=%201', 'ModelArts.2764', perPage],
    ['per_page=%2B1', 'ModelArts.2764', perPage],
    ['per_page=', 'ModelArts.2764', perPage],
    ['page=0', 'ModelArts.2764', page],
    ['page=65536', 'ModelArts.2764', page],
    ['sortBy=name', 'ModelArts.2790', undefined],
    ['sortBy=JOB_NAME', 'ModelArts.2790', undefined],
    ['order=up', 'ModelArts.2764', 'Invalid query parameter: order must be asc or desc'],
    ['status=x', 'ModelArts.2764', 'Invalid query parameter: status must be a non-negative integer'],
    ['status=-1', 'ModelArts.2764', undefined],
    ['status=3,5', 'ModelArts.2764', undefined],
    ['search_content=%E0%A4%A', 'ModelArts.2764', 'Invalid query parameter: malformed percent-encoding'],
  ])('answers %s with 400 %s', async (query, code, message) => {
    const reply = await call(query);
    expect(reply.status).toBe(400);
    expect(Object.keys(reply.body)).toEqual(['is_success', 'error_code', 'error_message']);
    expect(reply.body).toMatchObject({ is_success: false, error_code: code });
    if (message !== undefined) expect(reply.body['error_message']).toBe(message);
  });

  it('accepts the range limits and leading zeros', async () => {
    for (const query of ['per_page=1', 'per_page=1000', 'page=1', 'page=65535', 'per_page=010', 'status=0']) {
      expect((await call(query)).status).toBe(200);
    }
  });

  it('answers an oversized request with a JSON error and keeps serving', async () => {
    const bigSearch = await call(`search_content=${'x'.repeat(8000)}`);
    expect(bigSearch.status).toBe(400);
    const huge = await raw(`${PATH}?junk=${'x'.repeat(40_000)}`);
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body.toString())).toMatchObject({ error_code: 'ModelArts.0101' });
    expect((await call()).status).toBe(200);
  });
});
