// From GraphQL arguments to the upstream query string: argument checks (src/schema/arguments.ts)
// and the encoded query (src/upstream/v1/query.ts); DESIGN.md "The GraphQL contract", "Precise
// rules"; UPSTREAM.md "Request" and "Authentication" (RFC 3986 encoding).
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import type { SortField, SortOrder, TrainingJobsQuery } from '../../src/domain.ts';
import { GatewayError } from '../../src/errors.ts';
import { toTrainingJobsQuery, type TrainingJobsArgs } from '../../src/schema/arguments.ts';
import { encodeRfc3986 } from '../../src/upstream/signer.ts';
import { buildQueryString } from '../../src/upstream/v1/query.ts';
import { rejection } from '../support/contract.ts';

const DEFAULT_QUERY: TrainingJobsQuery = {
  status: undefined,
  page: 1,
  perPage: 10,
  sortBy: 'JOB_NAME',
  order: 'ASC',
  search: undefined,
  workspaceId: '0',
};

/** The arguments GraphQL hands the resolver when the caller gives none. */
const DEFAULT_ARGS: TrainingJobsArgs = { page: 1, perPage: 10, sortBy: 'JOB_NAME', order: 'ASC', workspaceId: '0' };

const query = (overrides: Partial<TrainingJobsQuery>): TrainingJobsQuery => ({ ...DEFAULT_QUERY, ...overrides });

describe('encodeRfc3986', () => {
  it.each([
    ['the Go SDK vector', '一 (&=?!#%.*)', '%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29'],
    ['a path', '/tmp/123', '%2Ftmp%2F123'],
    ['unreserved characters', 'AZaz09-_.~', 'AZaz09-_.~'],
    ['a space as %20, never +', 'a b', 'a%20b'],
    ['a plus sign', 'a+b', 'a%2Bb'],
    ['an exclamation mark', '!', '%21'],
    ['an apostrophe', "'", '%27'],
    ['parentheses', '()', '%28%29'],
    ['an asterisk', '*', '%2A'],
    ['reserved characters', "!'()*&=+/?#%", '%21%27%28%29%2A%26%3D%2B%2F%3F%23%25'],
    ['gen-delims', ':/?#[]@', '%3A%2F%3F%23%5B%5D%40'],
    ['sub-delims', "!$&'()*+,;=", '%21%24%26%27%28%29%2A%2B%2C%3B%3D'],
    ['other ASCII punctuation', '"<>\\^`{|}', '%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ['control characters', '\t\n\u0000', '%09%0A%00'],
    ['Latin-1 letters', 'é', '%C3%A9'],
    ['CJK text', '训练', '%E8%AE%AD%E7%BB%83'],
    ['an emoji', '😀', '%F0%9F%98%80'],
    ['an empty string', '', ''],
    ['an already encoded string', '%20', '%2520'],
  ])('encodes %s', (_what, raw, encoded) => {
    expect(encodeRfc3986(raw)).toBe(encoded);
  });

  it.each(['a', 'job 1', '!*()\'', '一 (&=?!#%.*)', '😀 训练 é', 'x'.repeat(64)])(
    'is undone by decodeURIComponent for %j',
    (raw) => {
      expect(decodeURIComponent(encodeRfc3986(raw))).toBe(raw);
      expect(encodeRfc3986(raw)).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/);
    },
  );
});

describe('buildQueryString', () => {
  it('sends exactly the defaults when the caller gives no argument', () => {
    expect(buildQueryString(DEFAULT_QUERY)).toBe('per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=0');
  });

  it('matches the seed example request', () => {
    expect(buildQueryString(query({ status: 7, search: 'job' }))).toBe(
      'status=7&per_page=10&page=1&sortBy=job_name&order=asc&search_content=job&workspace_id=0',
    );
  });

  it.each<[SortField, string]>([
    ['JOB_NAME', 'job_name'],
    ['JOB_DESC', 'job_desc'],
    ['STATUS', 'status'],
    ['DURATION', 'duration'],
    ['VERSION_COUNT', 'version_count'],
    ['CREATE_TIME', 'create_time'],
  ])('sends sortBy %s as sortBy=%s', (sortBy, wire) => {
    expect(buildQueryString(query({ sortBy }))).toBe(`per_page=10&page=1&sortBy=${wire}&order=asc&workspace_id=0`);
  });

  it.each<[SortOrder, string]>([
    ['ASC', 'asc'],
    ['DESC', 'desc'],
  ])('sends order %s as order=%s', (order, wire) => {
    expect(buildQueryString(query({ order }))).toBe(`per_page=10&page=1&sortBy=job_name&order=${wire}&workspace_id=0`);
  });

  it.each([
    ['UNKNOWN', 0],
    ['IMAGE_FAILED', 3],
    ['WAITING', 7],
    ['RUNNING', 8],
    ['COMPLETED', 10],
    ['MOUNT_FAILED', 22],
  ])('sends status %s as status=%i, first', (_name, code) => {
    expect(buildQueryString(query({ status: code }))).toBe(
      `status=${code}&per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=0`,
    );
  });

  it.each([
    ['the first page and smallest size', 1, 1, 'per_page=1&page=1'],
    ['the last page and largest size', 65535, 1000, 'per_page=1000&page=65535'],
    ['a middle page', 42, 25, 'per_page=25&page=42'],
  ])('sends %s', (_what, page, perPage, expected) => {
    expect(buildQueryString(query({ page, perPage }))).toBe(`${expected}&sortBy=job_name&order=asc&workspace_id=0`);
  });

  it.each([
    ['a plain word', 'job', 'job'],
    ['spaces as %20', 'my job 1', 'my%20job%201'],
    ['leading and trailing spaces untrimmed', ' job ', '%20job%20'],
    ['Unicode', '训练作业 é', '%E8%AE%AD%E7%BB%83%E4%BD%9C%E4%B8%9A%20%C3%A9'],
    ['an emoji', '🚀', '%F0%9F%9A%80'],
    ['reserved characters', "!'()*&=+/?#%", '%21%27%28%29%2A%26%3D%2B%2F%3F%23%25'],
    ['something that looks like another key', 'x&page=2', 'x%26page%3D2'],
    ['the Go SDK vector', '一 (&=?!#%.*)', '%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29'],
  ])('sends a search with %s encoded in RFC 3986', (_what, search, encoded) => {
    expect(buildQueryString(query({ search }))).toBe(
      `per_page=10&page=1&sortBy=job_name&order=asc&search_content=${encoded}&workspace_id=0`,
    );
  });

  it('leaves search_content out when no search is given', () => {
    expect(buildQueryString(query({ search: undefined }))).not.toContain('search_content');
  });

  it.each([
    ['a numeric workspace', '42', '42'],
    ['a workspace with reserved characters', 'ws/1 & 2', 'ws%2F1%20%26%202'],
  ])('sends %s encoded', (_what, workspaceId, encoded) => {
    expect(buildQueryString(query({ workspaceId }))).toBe(
      `per_page=10&page=1&sortBy=job_name&order=asc&workspace_id=${encoded}`,
    );
  });

  it('sends every argument at once in the seed order', () => {
    expect(
      buildQueryString({ status: 13, page: 3, perPage: 50, sortBy: 'CREATE_TIME', order: 'DESC', search: 'bert', workspaceId: '7' }),
    ).toBe('status=13&per_page=50&page=3&sortBy=create_time&order=desc&search_content=bert&workspace_id=7');
  });

  it('gives the same string for omitted arguments and the same values spelled out', () => {
    expect(buildQueryString(toTrainingJobsQuery(DEFAULT_ARGS))).toBe(
      buildQueryString(toTrainingJobsQuery({ ...DEFAULT_ARGS, status: null, search: '' })),
    );
  });
});


describe('toTrainingJobsQuery', () => {
  it('applies nothing beyond the GraphQL defaults', () => {
    expect(toTrainingJobsQuery(DEFAULT_ARGS)).toEqual(DEFAULT_QUERY);
  });

  it('passes every argument through', () => {
    expect(
      toTrainingJobsQuery({ status: 8, page: 2, perPage: 100, sortBy: 'DURATION', order: 'DESC', search: 'resnet', workspaceId: 'ws-1' }),
    ).toEqual<TrainingJobsQuery>({ status: 8, page: 2, perPage: 100, sortBy: 'DURATION', order: 'DESC', search: 'resnet', workspaceId: 'ws-1' });
  });

  it.each([
    ['page', 1],
    ['page', 2],
    ['page', 65535],
    ['perPage', 1],
    ['perPage', 500],
    ['perPage', 1000],
  ] as const)('accepts %s %i', (name, value) => {
    expect(toTrainingJobsQuery({ ...DEFAULT_ARGS, [name]: value })[name]).toBe(value);
  });

  it.each([
    ['page', 0, '1 and 65535'],
    ['page', -1, '1 and 65535'],
    ['page', 65536, '1 and 65535'],
    ['page', 2147483647, '1 and 65535'],
    ['page', -2147483648, '1 and 65535'],
    ['perPage', 0, '1 and 1000'],
    ['perPage', -10, '1 and 1000'],
    ['perPage', 1001, '1 and 1000'],
    ['perPage', 65535, '1 and 1000'],
  ] as const)('rejects %s %i as BAD_USER_INPUT naming the argument and its range', (name, value, range) => {
    const error = rejection({ ...DEFAULT_ARGS, [name]: value });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
    expect(error.extensions['upstream']).toBeUndefined();
    expect(error.message).toContain(name);
    expect(error.message).toContain(range);
  });

  it.each([
    ['null status', { status: null }, undefined],
    ['status 0 (UNKNOWN)', { status: 0 }, 0],
    ['status 8 (RUNNING)', { status: 8 }, 8],
  ])('reads %s', (_what, args, status) => {
    expect(toTrainingJobsQuery({ ...DEFAULT_ARGS, ...args }).status).toBe(status);
  });

  it.each<[string, string | null | undefined, string | undefined]>([
    ['an omitted search', undefined, undefined],
    ['a null search', null, undefined],
    ['an empty search', '', undefined],
    ['a single space', ' ', ' '],
    ['surrounding spaces', '  job  ', '  job  '],
    ['a tab and newline', '\tjob\n', '\tjob\n'],
    ['64 ASCII characters', 'a'.repeat(64), 'a'.repeat(64)],
    ['64 emoji (128 UTF-16 units)', '😀'.repeat(64), '😀'.repeat(64)],
    ['64 CJK characters', '训'.repeat(64), '训'.repeat(64)],
    ['63 letters and one emoji', `${'a'.repeat(63)}🚀`, `${'a'.repeat(63)}🚀`],
  ])('takes %s as given', (_what, search, expected) => {
    expect(toTrainingJobsQuery({ ...DEFAULT_ARGS, search }).search).toBe(expected);
  });

  it.each([
    ['65 ASCII characters', 'a'.repeat(65), '65'],
    ['65 emoji', '😀'.repeat(65), '65'],
    ['65 CJK characters', '训'.repeat(65), '65'],
    ['64 letters and one emoji', `${'a'.repeat(64)}🚀`, '65'],
    ['65 spaces', ' '.repeat(65), '65'],
  ])('rejects a search of %s as BAD_USER_INPUT, counting code points', (_what, search, count) => {
    const error = rejection({ ...DEFAULT_ARGS, search });
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('search');
    expect(error.message).toContain('64');
    expect(error.message).toContain(count);
  });

  // A lone surrogate cannot be percent-encoded (encodeURIComponent throws URIError); it is an
  // argument problem, not a bug, and must be caught before any upstream call.
  it.each([
    ['search with a lone high surrogate', { search: 'job\uD800' }, 'search'],
    ['search with a lone low surrogate', { search: '\uDC00' }, 'search'],
    ['search with reversed surrogates', { search: '\uDE00\uD83D' }, 'search'],
    ['workspaceId with a lone surrogate', { workspaceId: '0\uD800' }, 'workspaceId'],
  ])('rejects a %s as BAD_USER_INPUT', (_what, args, name) => {
    const error = rejection({ ...DEFAULT_ARGS, ...args });
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
    expect(error.message).toContain(name);
  });

  it.each([
    ['"0"', '0'],
    ['a 64-character id', 'w'.repeat(64)],
    ['a 32-hex id', '0123456789abcdef0123456789abcdef'],
  ])('accepts workspaceId %s', (_what, workspaceId) => {
    expect(toTrainingJobsQuery({ ...DEFAULT_ARGS, workspaceId }).workspaceId).toBe(workspaceId);
  });

  it.each([
    ['empty', ''],
    ['65 characters long', 'w'.repeat(65)],
  ])('rejects a workspaceId that is %s as BAD_USER_INPUT', (_what, workspaceId) => {
    const error = rejection({ ...DEFAULT_ARGS, workspaceId });
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('workspaceId');
  });

  it.each([
    ['a search', { search: 'job 1 & co' }],
    ['a Unicode search', { search: '训练 😀' }],
    ['every argument', { status: 0, page: 65535, perPage: 1000, sortBy: 'VERSION_COUNT', order: 'DESC', search: "!'()*", workspaceId: 'ws 1' }],
  ] as const)('gives a query that encodes without error for %s', (_what, args) => {
    expect(() => buildQueryString(toTrainingJobsQuery({ ...DEFAULT_ARGS, ...args }))).not.toThrow();
  });
});
