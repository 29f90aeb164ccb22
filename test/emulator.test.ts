// The emulator over real sockets: fetch for ordinary calls, node:http where the exact bytes on
// the wire matter (HEAD, repeated headers, truncated or trickled bodies, oversized requests,
// keep-alive, sockets a client drops).
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, defaultJobs, generateJobs } from '../src/emulator/index.ts';
import type { Emulator, EmulatorJob, ErrorBodyShape } from '../src/emulator/index.ts';

const PATH = '/v1/proj-1/training-jobs';
const AUTH = { 'x-auth-token': 'test-token' };
const SORT_KEYS = ['job_name', 'job_desc', 'status', 'duration', 'version_count', 'create_time'] as const;
type SortKey = (typeof SORT_KEYS)[number];
const HEX32 = /^[0-9a-f]{32}$/;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

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

let emu: Emulator;

async function call(query = '', init: { path?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = `${emu.url}${init.path ?? PATH}${query === '' ? '' : `?${query}`}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? AUTH });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const jobsOf = (reply: Reply): WireJob[] => reply.body['jobs'] as WireJob[];

/** Ids straight from the text: JSON.parse would round those above 2^53. */
function idsOf(text: string): bigint[] {
  return [...text.matchAll(/"job_id":(\d+)/g)].map((m) => BigInt(m[1] as string));
}

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** true when the connection died before the body was complete */
  cut: boolean;
}

/**
 * One request on a fresh connection, reporting whatever bytes arrived before any cut. `base`
 * defaults to the shared emulator; `chunks` counts the pieces the body arrived in.
 */
function raw(
  path: string,
  init: { method?: string; headers?: OutgoingHttpHeaders; base?: string } = {},
): Promise<RawReply & { chunks: number }> {
  return new Promise((resolve, reject) => {
    const url = `${init.base ?? emu.url}${path}`;
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? AUTH, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const finish = (cut: boolean): void =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), cut, chunks: chunks.length });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(false));
      res.on('aborted', () => finish(true));
      res.on('error', () => finish(true));
    });
    req.end();
  });
}

/** Polls until `cond` holds: server-side events (a socket closing, 'finish') land a moment after the client's. */
async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const FIELD: Record<SortKey, (job: EmulatorJob) => string | number> = {
  job_name: (j) => j.jobName,
  job_desc: (j) => j.jobDesc,
  status: (j) => j.status,
  duration: (j) => j.duration,
  version_count: (j) => j.versionCount,
  create_time: (j) => j.createTime,
};

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
      const x = key(a);
      const y = key(b);
      if (x !== y) return x < y ? -1 : 1;
      return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
    });
  if (opts.order === 'desc') rows.reverse();
  return rows.map((j) => j.jobId);
}

const jobs = defaultJobs();
const inDefaultWorkspace = jobs.filter((j) => j.workspaceId === '0').length;

beforeAll(async () => {
  emu = await createEmulator().listen();
});
afterEach(() => {
  emu.setFault(null);
  emu.clearRequests();
});
afterAll(async () => {
  await emu.close();
});

describe('generateJobs', () => {
  it('returns the same jobs for the same n and seed, and other jobs for another seed', () => {
    expect(generateJobs(300, 42)).toEqual(generateJobs(300, 42));
    expect(generateJobs(50, 1)).toEqual(generateJobs(50));
    expect(generateJobs(50, 2)).not.toEqual(generateJobs(50, 1));
  });

  it('includes all 23 status codes in workspace "0" as soon as n >= 23', () => {
    for (const seed of [1, 2, 3, 99, 12345]) {
      const statuses = new Set(generateJobs(23, seed).filter((j) => j.workspaceId === '0').map((j) => j.status));
      expect([...statuses].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    }
  });

  it('gives unique 64-bit ids, most modest and some above 2^53', () => {
    const all = generateJobs(1000, 5);
    expect(new Set(all.map((j) => j.jobId)).size).toBe(1000);
    const ids = all.flatMap((j) => [j.jobId, j.versionId]);
    expect(ids.every((id) => id > 0n && id < 1n << 63n)).toBe(true);
    expect(ids.filter((id) => id > 2n ** 53n).length).toBeGreaterThan(50);
    expect(ids.filter((id) => id < 10n ** 12n).length).toBeGreaterThan(1500);
    expect(generateJobs(10).map((j) => j.jobId)).toContain(9007199254740993n);
  });

  it('produces realistic fields', () => {
    const all = generateJobs(1000, 9);
    const yearStart = Date.UTC(2025, 10, 1);
    const end = Date.UTC(2026, 10, 1);
    expect(all.every((j) => j.createTime >= yearStart && j.createTime < end)).toBe(true);
    expect(all.every((j) => j.versionCount >= 1 && j.versionCount <= 12 && Number.isInteger(j.versionCount))).toBe(true);
    expect(all.filter((j) => j.status === 1 || j.status === 7).every((j) => j.duration === 0)).toBe(true);
    const durations = all.map((j) => j.duration).filter((d) => d > 0);
    expect(Math.min(...durations)).toBeLessThan(60_000);
    expect(Math.max(...durations)).toBeGreaterThan(7 * 24 * 3600 * 1000);
    expect(all.some((j) => j.jobDesc === '')).toBe(true);
    expect(all.some((j) => /[\u4e00-\u9fff]/.test(j.jobDesc))).toBe(true);
    expect(all.some((j) => /[A-Z]/.test(j.jobName))).toBe(true);
    expect(new Set(all.map((j) => j.jobName)).size).toBeLessThan(all.length); // duplicates exist
    expect(all.some((j) => j.workspaceId !== '0')).toBe(true);
    expect(all.filter((j) => j.workspaceId === '0').length).toBeGreaterThan(800);
  });

  it('rejects a negative or fractional n', () => {
    expect(() => generateJobs(-1)).toThrow(RangeError);
    expect(() => generateJobs(1.5)).toThrow(RangeError);
    expect(generateJobs(0)).toEqual([]);
  });
});

describe('defaultJobs', () => {
  it('is memoised, frozen, and holds the seed sample job', () => {
    expect(defaultJobs()).toBe(jobs);
    expect(Object.isFrozen(jobs)).toBe(true);
    expect(jobs.length).toBeGreaterThan(240);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(jobs.length);
    expect(jobs).toContainEqual({
      jobId: 10n, jobName: 'testModelArtsJob', versionId: 10n, status: 10, createTime: 1524189990635,
      duration: 532003, jobDesc: 'This is ModelArts job', versionCount: 5, workspaceId: '0',
    });
  });
});

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

describe('routing and authentication', () => {
  it('answers a missing or empty token with 401 ModelArts.0201, before checking parameters', async () => {
    const variants: Array<Record<string, string>> = [{}, { 'x-auth-token': '' }, { authorization: 'Bearer abc' }];
    for (const headers of variants) {
      const reply = await call('per_page=0', { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error_code: 'ModelArts.0201', error_msg: 'Token missing' });
    }
  });

  it('accepts an SDK-HMAC-SHA256 Authorization header without a token', async () => {
    const headers = { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00' };
    expect((await call('', { headers })).status).toBe(200);
  });

  it('answers an unknown path with 404 APIGW.0101 carrying the request id', async () => {
    for (const path of ['/v2/proj-1/training-jobs', `${PATH}/`, '/v1/training-jobs', `/v1/${'p'.repeat(65)}/training-jobs`, '/']) {
      const reply = await call('', { path });
      expect(reply.status).toBe(404);
      expect(Object.keys(reply.body)).toEqual(['error_code', 'error_msg', 'request_id']);
      expect(reply.body['error_code']).toBe('APIGW.0101');
      expect(reply.body['request_id']).toBe(reply.headers.get('x-request-id'));
    }
    expect((await call('', { path: `/v1/${'p'.repeat(64)}/training-jobs` })).status).toBe(200);
  });

  it('answers other methods with 405 ModelArts.0104', async () => {
    const post = await call('', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(post.body).toMatchObject({ error_code: 'ModelArts.0104' });
    const head = await raw(PATH, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.body.length).toBe(0);
  });

  it('accepts only the configured tokens', async () => {
    const strict = await createEmulator({ tokens: ['good'] }).listen();
    try {
      expect((await fetch(`${strict.url}${PATH}`, { headers: { 'x-auth-token': 'good' } })).status).toBe(200);
      const bad = await fetch(`${strict.url}${PATH}`, { headers: { 'x-auth-token': 'bad' } });
      expect(bad.status).toBe(401);
      const body = (await bad.json()) as Record<string, unknown>;
      expect(body['error_code']).toBe('APIGW.0301');
      expect(body['request_id']).toMatch(HEX32);
    } finally {
      await strict.close();
    }
  });

  it('answers another project id with 404 ModelArts.2786 when projectId is set', async () => {
    const scoped = await createEmulator({ projectId: 'proj-1' }).listen();
    try {
      expect((await fetch(`${scoped.url}${PATH}`, { headers: AUTH })).status).toBe(200);
      const other = await fetch(`${scoped.url}/v1/proj-2/training-jobs`, { headers: AUTH });
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error_code: 'ModelArts.2786', request_id: other.headers.get('x-request-id') });
    } finally {
      await scoped.close();
    }
  });

  it('serves given jobs, limits and quotas, omitting null ones', async () => {
    const custom = await createEmulator({ jobs: generateJobs(5, 3), jobCountLimit: null, quotas: 17 }).listen();
    try {
      const text = await (await fetch(`${custom.url}${PATH}`, { headers: AUTH })).text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['is_success', 'job_total_count', 'quotas', 'jobs']);
      expect(body).toMatchObject({ job_total_count: 5, quotas: 17 });
    } finally {
      await custom.close();
    }
  });

  it('lets a verifySignature hook refuse signed requests', async () => {
    const signed = await createEmulator({ verifySignature: (r) => r.headers['x-sdk-date'] === '20191115T033655Z' }).listen();
    try {
      const authorization = 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00';
      const good = await fetch(`${signed.url}${PATH}`, { headers: { authorization, 'x-sdk-date': '20191115T033655Z' } });
      expect(good.status).toBe(200);
      const bad = await fetch(`${signed.url}${PATH}`, { headers: { authorization, 'x-sdk-date': '20200101T000000Z' } });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error_code: 'APIGW.0301' });
    } finally {
      await signed.close();
    }
  });

  it('rejects bad options and reports url only after listen', () => {
    expect(() => createEmulator({ projectId: 'a/b' })).toThrow(TypeError);
    expect(() => createEmulator({ quotas: 1.5 })).toThrow(/quotas/);
    expect(() => createEmulator({ aksk: { ak: 'AK', sk: '' } })).toThrow(/aksk/);
    expect(() => createEmulator().url).toThrow(/listen/);
  });
});

describe('AK/SK verification', () => {
  const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
  const QUERY = { search_content: '一 (&=?!#%.*) x', sortBy: 'create_time', page: '1', per_page: '5' };
  // Canonical: sorted by key, RFC 3986 (encodeURIComponent leaves !'()* alone).
  const SENT = 'page=1&per_page=5&search_content=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29%20x&sortBy=create_time';
  const MINUTE = 60_000;
  let verifying: Emulator;

  beforeAll(async () => {
    verifying = await createEmulator({ aksk: KEYS }).listen();
  });
  afterAll(() => verifying.close());

  const sdkDate = (at: number) => new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '');

  /** Headers signed by the official SDK's signer: a third implementation, beside the gateway's and the emulator's. */
  function sdkSigned(opts: { query?: Record<string, string>; date?: string; ak?: string; sk?: string } = {}): OutgoingHttpHeaders {
    const host = new URL(verifying.url).host;
    const headers = { host, 'content-type': 'application/json', 'X-Sdk-Date': opts.date ?? sdkDate(Date.now()) };
    const request = new HttpRequestBuilder().withEndpoint(`${verifying.url}${PATH}`).withMethod('GET')
      .withQueryParams(opts.query ?? QUERY).withHeaders(headers).build();
    return AKSKSigner.sign(request, new BasicCredentials().withAk(opts.ak ?? KEYS.ak).withSk(opts.sk ?? KEYS.sk)) as OutgoingHttpHeaders;
  }

  /**
   * A tiny signer of our own, for what the SDK cannot sign: it rewrites X-Sdk-Date into its
   * basic form for the string to sign, so a malformed date would fail on the signature anyway.
   */
  function handSigned(date: string, signedHeaders = 'host;x-sdk-date'): OutgoingHttpHeaders {
    const headers: Record<string, string> = { host: new URL(verifying.url).host, 'x-sdk-date': date };
    const block = signedHeaders.split(';').map((name) => `${name}:${headers[name]}\n`).join('');
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const canonical = `GET\n${PATH}/\n${SENT}\n${block}\n${signedHeaders}\n${sha256('')}`;
    const signature = createHmac('sha256', KEYS.sk).update(`SDK-HMAC-SHA256\n${date}\n${sha256(canonical)}`).digest('hex');
    return { ...headers, authorization: `SDK-HMAC-SHA256 Access=${KEYS.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
  }

  const send = (query: string, headers: OutgoingHttpHeaders) =>
    raw(query === '' ? PATH : `${PATH}?${query}`, { base: verifying.url, headers });

  it('accepts a request signed with the key pair and sent as signed', async () => {
    expect((await send(SENT, sdkSigned())).status).toBe(200);
    expect((await send('', sdkSigned({ query: {} }))).status).toBe(200);
    // 14 minutes either way is within the gateway's tolerance.
    expect((await send(SENT, sdkSigned({ date: sdkDate(Date.now() - 14 * MINUTE) }))).status).toBe(200);
    expect((await send(SENT, sdkSigned({ date: sdkDate(Date.now() + 14 * MINUTE) }))).status).toBe(200);
    expect((await send(SENT, handSigned(sdkDate(Date.now())))).status).toBe(200);
  });

  it('answers 401 APIGW.0301 to every bad signature, date or query', async () => {
    const { 'X-Sdk-Date': _date, ...undated } = sdkSigned();
    const cases: Array<[string, string, OutgoingHttpHeaders]> = [
      ['wrong AK', SENT, sdkSigned({ ak: 'SOMEONE-ELSES-AK' })],
      ['wrong SK', SENT, sdkSigned({ sk: 'not-the-secret' })],
      ['query changed after signing', SENT.replace('per_page=5', 'per_page=6'), sdkSigned()],
      ['malformed Authorization', SENT, { ...sdkSigned(), Authorization: 'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC' }],
      ['X-Sdk-Date missing', SENT, undated],
      ['X-Sdk-Date in extended ISO form', SENT, handSigned(new Date().toISOString())],
      ['X-Sdk-Date in lower case', SENT, handSigned(sdkDate(Date.now()).toLowerCase())],
      ['X-Sdk-Date not signed', SENT, handSigned(sdkDate(Date.now()), 'host')],
      ['X-Sdk-Date 16 minutes old', SENT, sdkSigned({ date: sdkDate(Date.now() - 16 * MINUTE) })],
      ['X-Sdk-Date 16 minutes ahead', SENT, sdkSigned({ date: sdkDate(Date.now() + 16 * MINUTE) })],
      // Signed over the canonical query, sent otherwise: the gateway must send what it signed.
      ['query reordered', SENT.split('&').reverse().join('&'), sdkSigned()],
      ['query encoded otherwise', SENT.replace('%21', '!').replace('%E4%B8%80', '%e4%b8%80'), sdkSigned()],
    ];
    for (const [name, query, headers] of cases) {
      const reply = await send(query, headers);
      expect(reply.status, name).toBe(401);
      expect(JSON.parse(reply.body.toString()), name).toEqual({
        error_code: 'APIGW.0301',
        error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
        request_id: reply.headers['x-request-id'],
      });
    }
  });

  it('still serves token requests, and lets a verifySignature hook replace the built-in check', async () => {
    expect((await call('', { headers: AUTH })).status).toBe(200);
    const hooked = await createEmulator({ aksk: KEYS, verifySignature: () => true }).listen();
    try {
      const headers = { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00' };
      expect((await fetch(`${hooked.url}${PATH}`, { headers })).status).toBe(200);
    } finally {
      await hooked.close();
    }
  });
});

describe('faults', () => {
  const shapes: Array<[ErrorBodyShape, string[]]> = [
    ['v1', ['is_success', 'error_code', 'error_message']],
    ['modelarts', ['error_code', 'error_msg']],
    ['apigw', ['error_code', 'error_msg', 'request_id']],
  ];
  it.each(shapes)('answers with status and a %s error body', async (shape, keys) => {
    emu.setFault({ status: 429, error: { shape, code: 'APIGW.0308', message: 'throttled' } });
    const reply = await call();
    expect(reply.status).toBe(429);
    expect(Object.keys(reply.body)).toEqual(keys);
    expect(reply.body).toMatchObject({ error_code: 'APIGW.0308' });
    expect(reply.text).toContain('"throttled"');
    if (shape === 'apigw') expect(reply.body['request_id']).toBe(reply.headers.get('x-request-id'));
  });

  it('sends a string body verbatim and an object body as JSON', async () => {
    emu.setFault({ status: 502, body: '<html>Bad Gateway</html>' });
    const html = await fetch(`${emu.url}${PATH}`);
    expect(html.status).toBe(502);
    expect(await html.text()).toBe('<html>Bad Gateway</html>');
    emu.setFault({ body: '{"is_success":tru' });
    const res = await fetch(`${emu.url}${PATH}`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"is_success":tru');
    emu.setFault({ status: 500, body: { error_code: 'ModelArts.0010', error_msg: 'boom' } });
    const obj = await call();
    expect(obj.body).toEqual({ error_code: 'ModelArts.0010', error_msg: 'boom' });
  });

  it('adds response headers, overriding defaults, also on normal answers', async () => {
    emu.setFault({ headers: { 'Retry-After': '1', 'x-request-id': 'fixed-id' } });
    const reply = await call();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.headers.get('x-request-id')).toBe('fixed-id');
  });

  it('delays the answer by delayMs', async () => {
    emu.setFault({ delayMs: 150 });
    const start = performance.now();
    const reply = await call();
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(200);
  });

  it('resets the connection without answering, and still logs the request', async () => {
    emu.setFault({ reset: true });
    await expect(fetch(`${emu.url}${PATH}?page=1`, { headers: AUTH })).rejects.toThrow();
    expect(emu.requests.map((r) => r.query)).toEqual(['page=1']);
  });

  it('truncates the normal answer to half its body', async () => {
    const full = Buffer.from((await call()).text);
    emu.setFault({ truncate: true });
    const cut = await raw(PATH);
    expect(cut.status).toBe(200);
    expect(cut.cut).toBe(true);
    expect(Number(cut.headers['content-length'])).toBe(full.length);
    expect(cut.body.equals(full.subarray(0, full.length >> 1))).toBe(true);
    emu.setFault({ truncate: true });
    await expect(fetch(`${emu.url}${PATH}`, { headers: AUTH }).then((r) => r.text())).rejects.toThrow();
  });

  it('truncates a given body too', async () => {
    emu.setFault({ status: 503, body: '0123456789', truncate: true });
    const cut = await raw(PATH);
    expect(cut).toMatchObject({ status: 503, cut: true });
    expect(cut.body.toString()).toBe('01234');
  });

  it('applies to the next `times` requests only, then clears itself', async () => {
    emu.setFault({ status: 503, error: { shape: 'modelarts', code: 'ModelArts.4302' }, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call()).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('applies before authentication and validation, and clears with null', async () => {
    emu.setFault({ status: 504, error: { shape: 'apigw', code: 'APIGW.0203' } });
    const reply = await call('per_page=0', { headers: {}, path: '/nowhere' });
    expect(reply.status).toBe(504);
    expect(reply.body['error_msg']).toBe('Injected fault');
    emu.setFault(null);
    expect((await call()).status).toBe(200);
  });

  it('rejects an inconsistent fault when it is set', () => {
    expect(() => emu.setFault({ error: { shape: 'v1', code: 'X' } })).toThrow(/status/);
    expect(() => emu.setFault({ status: 42 })).toThrow(RangeError);
    expect(() => emu.setFault({ reset: true, truncate: true })).toThrow(TypeError);
    expect(() => emu.setFault({ times: 0 })).toThrow(RangeError);
    expect(() => emu.setFault({ headers: { 'bad header': 'x' } })).toThrow();
    expect(() => emu.setFault({ trickle: { chunkBytes: 0, intervalMs: 10 } })).toThrow(/chunkBytes/);
    expect(() => emu.setFault({ trickle: { chunkBytes: 1.5, intervalMs: 10 } })).toThrow(RangeError);
    expect(() => emu.setFault({ trickle: { chunkBytes: 10, intervalMs: -1 } })).toThrow(/intervalMs/);
    expect(() => emu.setFault({ trickle: { chunkBytes: 10, intervalMs: Number.NaN } })).toThrow(RangeError);
    expect(() => emu.setFault({ reset: true, trickle: { chunkBytes: 1, intervalMs: 1 } })).toThrow(TypeError);
  });
});

describe('request log', () => {
  it('keeps the raw path and query, decoded params in order, and lower-case headers', async () => {
    const query = 'search_content=a%20b+c&sortBy=job_name&x=%E4%B8%80&search_content=second';
    await call(query, { headers: { 'X-Auth-Token': 'tok', 'X-Sdk-Date': '20191115T033655Z' } });
    expect(emu.requests).toHaveLength(1);
    const [logged] = emu.requests;
    expect(logged).toMatchObject({ method: 'GET', path: PATH, query });
    expect(logged?.params).toEqual([['search_content', 'a b c'], ['sortBy', 'job_name'], ['x', '一'], ['search_content', 'second']]);
    expect(logged?.headers).toMatchObject({ 'x-auth-token': 'tok', 'x-sdk-date': '20191115T033655Z' });
  });

  it('joins repeated headers and records an empty query as ""', async () => {
    await raw(PATH, { headers: { ...AUTH, 'x-multi': ['a', 'b'] } });
    expect(emu.requests[0]).toMatchObject({ query: '', params: [] });
    expect(emu.requests[0]?.headers['x-multi']).toBe('a, b');
  });

  it('records rejected and odd requests in arrival order, and clears', async () => {
    await call('', { headers: {} });
    await call('', { path: '/elsewhere' });
    await call('', { method: 'DELETE' });
    await call('per_page=%E0%A4%A');
    expect(emu.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `GET ${PATH}?`, 'GET /elsewhere?', `DELETE ${PATH}?`, `GET ${PATH}?per_page=%E0%A4%A`,
    ]);
    const log = emu.requests;
    await until('4 answers', () => emu.answered === 4);
    emu.clearRequests();
    expect(log).toHaveLength(0);
    expect(emu.answered).toBe(0);
  });
});

describe('close', () => {
  it('does not hang with a keep-alive client connected or a delayed answer pending', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject).end();
    });
    own.setFault({ delayMs: 60_000 });
    const pending = fetch(`${own.url}${PATH}`, { headers: AUTH }).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    await own.close();
    expect(performance.now() - start).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    agent.destroy();
  });
});

/** A body whose every 1 KB slice differs, so a lost, repeated or reordered chunk shows. */
const patterned = (bytes: number): string =>
  Array.from({ length: bytes / 8 }, (_, i) => i.toString(16).padStart(8, '0')).join('');

/** Starts a request that is destroyed as soon as the first body bytes arrive; resolves then. */
function dropAfterFirstChunk(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: AUTH, agent: false });
    req.on('error', () => undefined); // our own destroy() may surface here; it is expected
    req.on('response', (res) => {
      res.on('error', () => undefined);
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no body bytes arrived')), 5000).unref();
    req.end();
  });
}

describe('trickle', () => {
  it('sends a 20 KB body in 1 KB chunks every 20 ms, slowly and intact', async () => {
    const body = patterned(20 * 1024);
    emu.setFault({ status: 200, body, trickle: { chunkBytes: 1024, intervalMs: 20 } });
    const start = performance.now();
    const reply = await raw(PATH);
    // 20 chunks: the first with the headers, then 19 intervals of 20 ms.
    expect(performance.now() - start).toBeGreaterThanOrEqual(370);
    expect(reply).toMatchObject({ status: 200, cut: false });
    expect(Number(reply.headers['content-length'])).toBe(body.length);
    expect(reply.body.toString()).toBe(body);
    expect(reply.chunks).toBeGreaterThan(1);
    await until('the answer to finish', () => emu.answered === 1);
  });

  it('trickles the normal answer and error bodies unchanged', async () => {
    const whole = (await call('per_page=1000')).text;
    emu.setFault({ trickle: { chunkBytes: 4096, intervalMs: 1 } });
    const slow = await raw(`${PATH}?per_page=1000`);
    expect(slow.status).toBe(200);
    expect(slow.body.toString()).toBe(whole);
    emu.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0203' }, trickle: { chunkBytes: 7, intervalMs: 1 } });
    const failed = await raw(PATH);
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ error_code: 'APIGW.0203', request_id: failed.headers['x-request-id'] });
    emu.setFault({ status: 204, trickle: { chunkBytes: 1, intervalMs: 1 } });
    expect(await raw(PATH)).toMatchObject({ status: 204, cut: false });
  });

  it('sends the headers after delayMs, then the body slowly', async () => {
    emu.setFault({ delayMs: 100, body: '0123456789', trickle: { chunkBytes: 5, intervalMs: 100 } });
    const start = performance.now();
    const reply = await raw(PATH);
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect(reply.body.toString()).toBe('0123456789');
  });

  it('combines with truncate: trickles the first half, then cuts', async () => {
    emu.setFault({ status: 503, body: '0123456789', truncate: true, trickle: { chunkBytes: 2, intervalMs: 10 } });
    const cut = await raw(PATH);
    expect(cut).toMatchObject({ status: 503, cut: true });
    expect(cut.headers['content-length']).toBe('10');
    expect(cut.body.toString()).toBe('01234');
    expect(emu.requests[0]?.aborted).toBeUndefined(); // the emulator cut it, not the client
  });

  it('stops quietly when the client goes away mid-body, and marks the request aborted', async () => {
    const own = await createEmulator().listen();
    try {
      own.setFault({ body: patterned(64 * 1024), trickle: { chunkBytes: 100, intervalMs: 5 } });
      await dropAfterFirstChunk(`${own.url}${PATH}`);
      await until('the request to be marked aborted', () => own.requests[0]?.aborted === true);
      await until('the socket to close', () => own.connections === 0);
      // Several more intervals: a chain still running would write to the dead socket and throw.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(own.answered).toBe(0);
      own.setFault(null);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('is cancelled by close() and by down(), which do not mark the request aborted', async () => {
    for (const stop of ['close', 'down'] as const) {
      const own = await createEmulator().listen();
      own.setFault({ body: patterned(8 * 1024), trickle: { chunkBytes: 10, intervalMs: 1000 } });
      const pending = raw(PATH, { base: own.url });
      await until('the first chunk to be sent', () => own.requests.length === 1);
      await own[stop]();
      const reply = await pending;
      expect(reply.cut).toBe(true);
      expect(reply.body.length).toBeLessThan(8 * 1024);
      expect(own.requests[0]?.aborted).toBeUndefined();
      await own.close();
    }
  });
});

describe('connections, answered and aborted', () => {
  it('counts open sockets: up with a keep-alive request, down when the client destroys it', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    try {
      expect(own.connections).toBe(0);
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      expect(own.connections).toBe(1); // the answer is over, the socket stays open
      agent.destroy();
      await until('the server to see the socket close', () => own.connections === 0);
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('tells received from answered when a client cancels during a delay', async () => {
    const own = await createEmulator().listen();
    try {
      own.setFault({ delayMs: 60_000, times: 1 });
      // node:http rather than fetch: Node 20's fetch sometimes keeps an aborted request's socket
      // open for its 4 s keep-alive timeout, which would only slow this test down.
      const req = httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent: false });
      const failed = new Promise((resolve) => req.on('error', resolve));
      req.end();
      await until('the request to arrive', () => own.requests.length === 1);
      req.destroy();
      expect(await failed).toBeInstanceOf(Error);
      await until('the socket to close', () => own.connections === 0);
      await until('the request to be marked aborted', () => own.requests[0]?.aborted === true);
      expect(own.answered).toBe(0);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
      await until('one answer', () => own.answered === 1);
      expect(own.requests[1]?.aborted).toBeUndefined();
    } finally {
      await own.close();
    }
  });

  it('counts only complete answers, not resets or truncations', async () => {
    await call();
    await call('per_page=0');
    await until('2 answers', () => emu.answered === 2);
    emu.setFault({ reset: true, times: 1 });
    await expect(fetch(`${emu.url}${PATH}`, { headers: AUTH })).rejects.toThrow();
    emu.setFault({ truncate: true, times: 1 });
    expect((await raw(PATH)).cut).toBe(true);
    await call();
    await until('3 answers', () => emu.answered === 3);
    expect(emu.requests).toHaveLength(5);
    expect(emu.requests.every((r) => r.aborted === undefined)).toBe(true);
  });
});

describe('down and up', () => {
  const refusal = (url: string): Promise<unknown> =>
    fetch(`${url}${PATH}`, { headers: AUTH }).then(
      () => null,
      (err: unknown) => (err as { cause?: { code?: string } }).cause?.code,
    );

  it('refuses connections while down and answers on the same url once up again', async () => {
    const own = await createEmulator().listen();
    try {
      const { url, port } = own;
      // raw uses its own connection: a pooled fetch socket would fail differently after down().
      expect((await raw(PATH, { base: url })).status).toBe(200);
      await own.down();
      expect(own.connections).toBe(0);
      expect(await refusal(url)).toBe('ECONNREFUSED');
      expect(own.url).toBe(url);
      expect(own.port).toBe(port);
      await own.up();
      expect(own.url).toBe(url);
      const again = await fetch(`${url}${PATH}`, { headers: AUTH });
      expect(again.status).toBe(200);
      await again.text();
    } finally {
      await own.close();
    }
  });

  it('destroys open connections and cancels a pending delay', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      own.setFault({ delayMs: 60_000 });
      const pending = raw(PATH, { base: own.url }).then(() => 'answered', () => 'failed');
      await until('the delayed request to arrive', () => own.requests.length === 2);
      expect(own.connections).toBe(2);
      await own.down();
      expect(own.connections).toBe(0);
      expect(await pending).toBe('failed');
      expect(own.requests[1]?.aborted).toBeUndefined(); // cut by down(), not by the client
      expect(own.answered).toBe(1);
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('treats down when down and up when up as no-ops, also when concurrent', async () => {
    const own = await createEmulator().listen();
    try {
      await own.down();
      await own.down();
      await Promise.all([own.down(), own.down()]);
      expect(await refusal(own.url)).toBe('ECONNREFUSED');
      await Promise.all([own.up(), own.up()]);
      await own.up();
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
      // Issued back to back without waiting: they run in order, ending up.
      await Promise.all([own.down(), own.up(), own.down(), own.up()]);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('closes while down, then refuses up(); close() twice is fine', async () => {
    const own = await createEmulator().listen();
    await own.down();
    await own.close();
    await expect(own.up()).rejects.toThrow(/closed/);
    await own.close();
    expect(await refusal(own.url)).toBe('ECONNREFUSED');
  });

  it('does nothing on down() before listen(), and rejects up() before listen()', async () => {
    const idle = createEmulator();
    await idle.down();
    await expect(idle.up()).rejects.toThrow(/listen/);
    await idle.close();
  });
});
