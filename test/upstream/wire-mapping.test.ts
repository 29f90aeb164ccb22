// The wire side: parseWireJson keeps 64-bit integers exact (UPSTREAM.md "Response (200)"), and
// toTrainingJobPage maps a body to the domain or refuses it (DESIGN.md "Precise rules", Jobs).
import { describe, expect, it } from 'vitest';
import type { TrainingJobPage, TrainingJobsQuery } from '../../src/domain.ts';
import { MalformedBodyError } from '../../src/upstream/mapping.ts';
import { toTrainingJobPage } from '../../src/upstream/v1/mapping.ts';
import { parseWireJson } from '../../src/upstream/wire.ts';

const QUERY: TrainingJobsQuery = {
  status: undefined,
  page: 1,
  perPage: 10,
  sortBy: 'JOB_NAME',
  order: 'ASC',
  search: undefined,
  workspaceId: '0',
};

// The seed's success response, verbatim.
const SEED_BODY = `{
    "is_success": true,
    "quotas": 5,
    "job_total_count": 1,
    "job_count_limit": 3,
    "jobs": [
        {
            "job_id": 10,
            "job_name": "testModelArtsJob",
            "version_id": 10,
            "status": 10,
            "create_time": 1524189990635,
            "duration": 532003,
            "job_desc": "This is ModelArts job",
            "version_count": 5
        }
    ]
}`;

const SEED_JOB = {
  job_id: 10,
  job_name: 'testModelArtsJob',
  version_id: 10,
  status: 10,
  create_time: 1524189990635,
  duration: 532003,
  job_desc: 'This is ModelArts job',
  version_count: 5,
};

const page = (overrides: Record<string, unknown> = {}) => ({
  is_success: true,
  quotas: 5,
  job_total_count: 1,
  job_count_limit: 3,
  jobs: [SEED_JOB],
  ...overrides,
});
const withJob = (overrides: Record<string, unknown>) => page({ jobs: [{ ...SEED_JOB, ...overrides }] });
const withoutJobField = (field: string) => {
  const job: Record<string, unknown> = { ...SEED_JOB };
  delete job[field];
  return page({ jobs: [job] });
};
const withoutPageField = (field: string) => {
  const body: Record<string, unknown> = page();
  delete body[field];
  return body;
};

describe('parseWireJson', () => {
  it.each([
    ['2^53 - 1', '9007199254740991', 9007199254740991],
    ['a small id', '10', 10],
    ['zero', '0', 0],
    ['a negative', '-42', -42],
    ['a 16-digit number below 2^53', '1000000000000000', 1000000000000000],
    ['a millisecond timestamp', '1524189990635', 1524189990635],
  ])('keeps %s a number', (_what, digits, value) => {
    expect(parseWireJson(`{"job_id":${digits}}`)).toEqual({ job_id: value });
  });

  it.each([
    ['2^53', '9007199254740992'],
    ['2^53 + 1', '9007199254740993'],
    ['2^63 - 1', '9223372036854775807'],
    ['2^63', '9223372036854775808'],
    ['2^64', '18446744073709551616'],
    ['-(2^63)', '-9223372036854775808'],
    ['a 20-digit id', '12345678901234567890'],
  ])('keeps %s exact as a bigint', (_what, digits) => {
    const parsed = parseWireJson(`{"jobs":[{"job_id":${digits},"version_id":${digits}}]}`) as {
      jobs: { job_id: unknown; version_id: unknown }[];
    };
    expect(parsed.jobs[0]?.job_id).toBe(BigInt(digits));
    expect(parsed.jobs[0]?.version_id).toBe(BigInt(digits));
  });

  // A 16-digit run anywhere in the text sends a body down the lossless path; the same body
  // without it takes the fast path. Both must read ordinary values the same way.
  const FORCE_LOSSLESS = '"pad":"0000000000000000"';
  it.each([
    ['the seed body', SEED_BODY],
    ['an error body', '{"is_success":false,"error_code":"ModelArts.0105","error_message":"Error string"}'],
    ['fractions and exponents', '{"a":1.5,"b":-0.25,"c":1e3,"d":2.5E-3,"e":10.0,"f":-7}'],
    ['nested arrays', '{"a":[[1,2],[3,[4,{"b":null}]]],"c":[]}'],
    ['strings with escapes', '{"a":"line\\nbreak \\"quoted\\" \\u00e9 \\ud83d\\ude00","b":""}'],
    ['booleans and nulls', '{"a":true,"b":false,"c":null}'],
    ['a 15-digit number', '{"a":999999999999999}'],
    ['unknown nested objects', '{"jobs":[{"job_id":1,"user":{"name":"alice","tags":["x"]}}]}'],
  ])('reads %s the same on the fast and the lossless path', (_what, text) => {
    const fast = parseWireJson(text);
    const lossless = parseWireJson(`${text.replace(/}\s*$/, '')}${text.trim() === '{}' ? '' : ','}${FORCE_LOSSLESS}}`) as Record<string, unknown>;
    expect(lossless['pad']).toBe('0000000000000000');
    delete lossless['pad'];
    expect(lossless).toEqual(fast);
  });

  it.each([
    ['the fast path', '{"a":'],
    ['the lossless path', '{"a":12345678901234567'],
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>'],
    ['an empty body', ''],
  ])('throws a SyntaxError for broken JSON on %s', (_what, text) => {
    expect(() => parseWireJson(text)).toThrow(SyntaxError);
  });
});

describe('toTrainingJobPage', () => {
  it('maps the seed sample body exactly', () => {
    expect(toTrainingJobPage(parseWireJson(SEED_BODY), QUERY)).toEqual<TrainingJobPage>({
      jobs: [
        {
          id: '10',
          name: 'testModelArtsJob',
          description: 'This is ModelArts job',
          statusCode: 10,
          versionId: '10',
          versionCount: 5,
          createdAt: 1524189990635,
          durationMs: 532003,
          phase: null,
          secondaryPhase: null,
        },
      ],
      totalCount: 1,
      remainingJobs: 3,
      maxRunningJobs: 5,
      page: 1,
      perPage: 10,
    });
  });

  it('takes page and perPage from the query', () => {
    const result = toTrainingJobPage(page({ jobs: [] }), { ...QUERY, page: 7, perPage: 250 });
    expect(result).toMatchObject({ jobs: [], page: 7, perPage: 250 });
  });

  it.each<[string, unknown, Partial<TrainingJobPage>]>([
    ['no is_success key', withoutPageField('is_success'), { totalCount: 1 }],
    ['job_count_limit absent', withoutPageField('job_count_limit'), { remainingJobs: null, maxRunningJobs: 5 }],
    ['job_count_limit null', page({ job_count_limit: null }), { remainingJobs: null }],
    ['job_count_limit zero', page({ job_count_limit: 0 }), { remainingJobs: 0 }],
    ['quotas absent', withoutPageField('quotas'), { maxRunningJobs: null, remainingJobs: 3 }],
    ['quotas null', page({ quotas: null }), { maxRunningJobs: null }],
    ['both quota fields absent', { jobs: [], job_total_count: 0 }, { remainingJobs: null, maxRunningJobs: null }],
    ['an empty page', page({ jobs: [], job_total_count: 0 }), { jobs: [], totalCount: 0 }],
    ['a total at the Int32 maximum', page({ job_total_count: 2147483647 }), { totalCount: 2147483647 }],
    ['unknown top-level keys', page({ request_id: 'abc', extra: { a: 1 } }), { totalCount: 1 }],
  ])('accepts a page with %s', (_what, body, expected) => {
    expect(toTrainingJobPage(body, QUERY)).toMatchObject(expected);
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['job_desc absent', withoutJobField('job_desc'), { description: '' }],
    ['job_desc null', withJob({ job_desc: null }), { description: '' }],
    ['job_desc empty', withJob({ job_desc: '' }), { description: '' }],
    ['an unknown user object', withJob({ user: { name: 'alice' } }), { name: 'testModelArtsJob' }],
    ['unknown scalar fields', withJob({ engine_type: 1, flavor: 'gpu', is_zombie: false }), { id: '10' }],
    ['an empty name', withJob({ job_name: '' }), { name: '' }],
    ['Unicode text', withJob({ job_name: '训练作业 🚀', job_desc: 'é\u0000\n' }), { name: '训练作业 🚀', description: 'é\u0000\n' }],
    ['status 0', withJob({ status: 0 }), { statusCode: 0 }],
    ['a status code newer than the schema', withJob({ status: 99 }), { statusCode: 99 }],
    ['a negative status code', withJob({ status: -1 }), { statusCode: -1 }],
    ['the smallest Int32 status code', withJob({ status: -2147483648 }), { statusCode: -2147483648 }],
    ['the largest Int32 status code', withJob({ status: 2147483647 }), { statusCode: 2147483647 }],
    ['zero ids', withJob({ job_id: 0, version_id: 0 }), { id: '0', versionId: '0' }],
    ['ids of 2^53 - 1', withJob({ job_id: 9007199254740991 }), { id: '9007199254740991' }],
    ['ids of 2^53 + 1 as bigint', withJob({ job_id: 9007199254740993n, version_id: 9007199254740993n }), { id: '9007199254740993', versionId: '9007199254740993' }],
    ['ids of 2^63 - 1 as bigint', withJob({ job_id: 9223372036854775807n }), { id: '9223372036854775807' }],
    ['small ids as bigint', withJob({ job_id: 5n }), { id: '5' }],
    ['a create_time at the epoch', withJob({ create_time: 0 }), { createdAt: 0 }],
    ['a create_time at the end of year 9999', withJob({ create_time: 253402300799999 }), { createdAt: 253402300799999 }],
    ['a zero duration', withJob({ duration: 0 }), { durationMs: 0 }],
    ['a duration of 2^53 - 1 ms', withJob({ duration: Number.MAX_SAFE_INTEGER }), { durationMs: Number.MAX_SAFE_INTEGER }],
    ['a version_count at the Int32 maximum', withJob({ version_count: 2147483647 }), { versionCount: 2147483647 }],
  ])('maps a job with %s', (_what, body, expected) => {
    const result = toTrainingJobPage(body, QUERY);
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0]).toMatchObject(expected);
  });

  it('maps 64-bit ids exactly from the text of a body', () => {
    const text = SEED_BODY.replace('"job_id": 10', '"job_id": 9223372036854775807').replace(
      '"version_id": 10',
      '"version_id": 9007199254740993',
    );
    const [job] = toTrainingJobPage(parseWireJson(text), QUERY).jobs;
    expect(job).toMatchObject({ id: '9223372036854775807', versionId: '9007199254740993' });
  });

  it('keeps the order of the jobs it was sent', () => {
    const jobs = [3, 1, 2].map((n) => ({ ...SEED_JOB, job_id: n, job_name: `job-${n}` }));
    const result = toTrainingJobPage(page({ jobs, job_total_count: 3 }), QUERY);
    expect(result.jobs.map((job) => job.id)).toEqual(['3', '1', '2']);
  });

  const JOB_FIELDS = ['job_id', 'job_name', 'version_id', 'status', 'create_time', 'duration', 'version_count'];

  it.each<[string, unknown]>([
    // the body as a whole
    ['a null body', null],
    ['a string body', 'ok'],
    ['an array body', [SEED_JOB]],
    ['a number body', 200],
    ['an empty object', {}],
    ['is_success false', page({ is_success: false })],
    ['is_success false with an error code', { is_success: false, error_code: 'ModelArts.0105', error_message: 'Error string' }],
    ['is_success null', page({ is_success: null })],
    ['is_success as a string', page({ is_success: 'true' })],
    ['is_success as 1', page({ is_success: 1 })],
    ['jobs absent', withoutPageField('jobs')],
    ['jobs null', page({ jobs: null })],
    ['jobs as an object', page({ jobs: { 0: SEED_JOB } })],
    ['a job that is null', page({ jobs: [null] })],
    ['a job that is an array', page({ jobs: [[SEED_JOB]] })],
    ['a job that is a string', page({ jobs: ['job'] })],
    ['one bad job among good ones', page({ jobs: [SEED_JOB, { ...SEED_JOB, job_name: 7 }, SEED_JOB] })],
    // totals
    ['job_total_count absent', withoutPageField('job_total_count')],
    ['job_total_count null', page({ job_total_count: null })],
    ['job_total_count as a string', page({ job_total_count: '1' })],
    ['job_total_count fractional', page({ job_total_count: 1.5 })],
    ['job_total_count negative', page({ job_total_count: -1 })],
    ['job_total_count above Int32', page({ job_total_count: 2147483648 })],
    ['job_total_count as a bigint', page({ job_total_count: 9007199254740993n })],
    ['job_count_limit as a string', page({ job_count_limit: '3' })],
    ['job_count_limit above Int32', page({ job_count_limit: 2147483648 })],
    ['job_count_limit below Int32', page({ job_count_limit: -2147483649 })],
    ['job_count_limit fractional', page({ job_count_limit: 0.5 })],
    ['quotas as a string', page({ quotas: '5' })],
    ['quotas above Int32', page({ quotas: 2147483648 })],
    ['quotas as a boolean', page({ quotas: true })],
    // each documented job field missing or null
    ...JOB_FIELDS.map((field): [string, unknown] => [`${field} missing`, withoutJobField(field)]),
    ...JOB_FIELDS.map((field): [string, unknown] => [`${field} null`, withJob({ [field]: null })]),
    // wrong types
    ['job_id as a string', withJob({ job_id: '10' })],
    ['job_id fractional', withJob({ job_id: 10.5 })],
    ['job_id negative', withJob({ job_id: -1 })],
    ['job_id negative as a bigint', withJob({ job_id: -9223372036854775808n })],
    ['job_id of 2^63', withJob({ job_id: 9223372036854775808n })],
    ['job_id of 2^64', withJob({ job_id: 18446744073709551616n })],
    ['job_id as an unsafe number', withJob({ job_id: 2 ** 60 })],
    ['job_id as NaN', withJob({ job_id: Number.NaN })],
    ['version_id as a string', withJob({ version_id: '10' })],
    ['version_id negative', withJob({ version_id: -5 })],
    ['version_id of 2^63', withJob({ version_id: 9223372036854775808n })],
    ['job_name as a number', withJob({ job_name: 42 })],
    ['job_name as an object', withJob({ job_name: { zh: '作业' } })],
    ['job_desc as a number', withJob({ job_desc: 1 })],
    ['job_desc as an array', withJob({ job_desc: ['a'] })],
    ['status as a string', withJob({ status: '10' })],
    ['status fractional', withJob({ status: 10.5 })],
    ['status above Int32', withJob({ status: 2147483648 })],
    ['status below Int32', withJob({ status: -2147483649 })],
    ['status as a bigint', withJob({ status: 10n })],
    ['create_time as a string', withJob({ create_time: '2018-04-20T02:06:30.635Z' })],
    ['create_time fractional', withJob({ create_time: 1524189990635.5 })],
    ['create_time negative', withJob({ create_time: -1 })],
    ['create_time beyond year 9999', withJob({ create_time: 253402300800000 })],
    ['create_time as a huge bigint', withJob({ create_time: 9223372036854775807n })],
    ['duration as a string', withJob({ duration: 'PT8M52.003S' })],
    ['duration negative', withJob({ duration: -1 })],
    ['duration fractional', withJob({ duration: 0.5 })],
    ['duration beyond 2^53', withJob({ duration: 9007199254740993n })],
    ['version_count as a string', withJob({ version_count: '5' })],
    ['version_count negative', withJob({ version_count: -1 })],
    ['version_count above Int32', withJob({ version_count: 2147483648 })],
    ['version_count as a bigint', withJob({ version_count: 5n })],
  ])('refuses a body with %s', (_what, body) => {
    expect(() => toTrainingJobPage(body, QUERY)).toThrow(MalformedBodyError);
  });

  it.each([
    ['job_name', withJob({ job_name: 42 }), 'jobs[0].job_name'],
    ['the second job', page({ jobs: [SEED_JOB, { ...SEED_JOB, duration: -1 }] }), 'jobs[1].duration'],
    ['job_total_count', page({ job_total_count: -1 }), 'job_total_count'],
    ['is_success', page({ is_success: false }), 'is_success'],
  ])('says where the problem is for %s in the detail', (_what, body, where) => {
    try {
      toTrainingJobPage(body, QUERY);
      expect.unreachable('the body was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedBodyError);
      expect((error as MalformedBodyError).detail).toContain(where);
    }
  });
});
