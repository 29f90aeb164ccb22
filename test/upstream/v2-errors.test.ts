/**
 * ModelArts v2's failures over real sockets (UPSTREAM.md "v2", DESIGN.md "Requests, identity
 * and faults"): every documented error body and status to its class and extensions.upstream,
 * every malformed page to UPSTREAM_ERROR, the lenient fields read as DESIGN.md says, and a
 * phase newer than the gateway read as UNKNOWN.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/emulator/index.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ api: 'v2', maxAttempts: 1 });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.setFault(null);
  stack.emulator.clearRequests();
});

const QUERY = '{ trainingJobs { totalCount jobs { id name description status statusCode statusGroup phase secondaryPhase versionId versionCount createdAt duration } } }';

// [HTTP status, body shape, error code, GraphQL code], from UPSTREAM.md "v2" Errors.
const DOCUMENTED: Array<[number, 'v2' | 'apigw', string, string]> = [
  [400, 'v2', 'ModelArts.2787', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2788', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2789', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2807', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2808', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2809', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2790', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.2816', 'BAD_USER_INPUT'],
  [400, 'v2', 'ModelArts.0102', 'BAD_USER_INPUT'],
  [401, 'v2', 'ModelArts.0201', 'UNAUTHENTICATED'],
  [401, 'v2', 'ModelArts.0202', 'UNAUTHENTICATED'],
  [401, 'v2', 'ModelArts.0203', 'UNAUTHENTICATED'],
  [401, 'apigw', 'APIGW.0301', 'UNAUTHENTICATED'],
  [403, 'v2', 'ModelArts.2784', 'FORBIDDEN'],
  [403, 'v2', 'ModelArts.2785', 'FORBIDDEN'],
  [403, 'v2', 'ModelArts.0108', 'FORBIDDEN'],
  [404, 'v2', 'ModelArts.2786', 'NOT_FOUND'],
  [429, 'v2', 'ModelArts.2799', 'RATE_LIMITED'],
  [429, 'apigw', 'APIG.0308', 'RATE_LIMITED'],
  [500, 'v2', 'ModelArts.0010', 'UPSTREAM_ERROR'],
  [500, 'v2', 'ModelArts.2950', 'UPSTREAM_ERROR'],
  [500, 'v2', 'ModelArts.2959', 'UPSTREAM_ERROR'],
  [502, 'apigw', 'APIG.0202', 'UPSTREAM_UNAVAILABLE'],
  [503, 'v2', 'ModelArts.0010', 'UPSTREAM_UNAVAILABLE'],
  [504, 'apigw', 'APIG.0201', 'UPSTREAM_UNAVAILABLE'],
];

describe('v2 error bodies', () => {
  it.each(DOCUMENTED)('answers HTTP %i with a %s body %s as %s, with the code and request id', async (status, shape, code, expected) => {
    stack.emulator.setFault({ status, error: { shape, code, message: 'Internal detail: db-7.internal.example' } });
    const res = await stack.gql(QUERY);
    expect(res.body.data).toEqual({ trainingJobs: null });
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe(expected);
    expect(error?.extensions?.upstream).toEqual({ errorCode: code, httpStatus: status, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(JSON.stringify(res.body)).not.toContain('internal');
  });

  it('answers the emulator’s own refusal of an unknown workspace (ModelArts.0102) as BAD_USER_INPUT', async () => {
    const res = await stack.gql('{ trainingJobs(workspaceId: "no-such-workspace") { totalCount } }');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { errorCode: 'ModelArts.0102', httpStatus: 400 } });
  });
});

const ITEM = {
  kind: 'job',
  metadata: { id: '3faf5c03-aaa1-4cbe-879d-24b05d997347', name: 'trainjob-108', description: 'd', create_time: 1636447346315 },
  status: { phase: 'Abnormal', secondary_phase: 'CreateFailed', duration: 0, start_time: 0 },
};
const page = (items: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ total: 5059, count: items.length, limit: 10, offset: 0, items, ...extra });
const withItem = (edit: (item: any) => void) => {
  const item = structuredClone(ITEM) as any;
  edit(item);
  return page([item]);
};

describe('v2 pages', () => {
  it('maps the documented example item', async () => {
    stack.emulator.setFault({ status: 200, body: page([ITEM]) });
    const res = await stack.gql(QUERY);
    expect(res.body).toEqual({
      data: {
        trainingJobs: {
          totalCount: 1,
          jobs: [
            {
              id: '3faf5c03-aaa1-4cbe-879d-24b05d997347', name: 'trainjob-108', description: 'd',
              status: 'FAILED', statusCode: 11, statusGroup: 'FAILED', phase: 'Abnormal', secondaryPhase: 'CreateFailed',
              versionId: null, versionCount: null, createdAt: '2021-11-09T08:42:26.315Z', duration: 'PT0S',
            },
          ],
        },
      },
    });
  });

  it('reads `count` as totalCount, not `total`', async () => {
    stack.emulator.setFault({ status: 200, body: JSON.stringify({ total: 5059, count: 17, items: [ITEM] }) });
    const res = await stack.gql('{ trainingJobs { totalCount } }');
    expect(res.body.data?.trainingJobs.totalCount).toBe(17);
  });

  it.each([
    ['Creating', 'INIT', 1, 'PENDING'],
    ['Pending', 'WAITING', 7, 'PENDING'],
    ['Running', 'RUNNING', 8, 'RUNNING'],
    ['Terminating', 'KILLING', 9, 'STOPPED'],
    ['Completed', 'COMPLETED', 10, 'SUCCEEDED'],
    ['Failed', 'FAILED', 11, 'FAILED'],
    ['Abnormal', 'FAILED', 11, 'FAILED'],
    ['Terminated', 'KILLED', 12, 'STOPPED'],
    // Newer than the gateway, or spelled otherwise: UNKNOWN, with the phase as sent.
    ['Suspended', 'UNKNOWN', 0, 'UNKNOWN'],
    ['running', 'UNKNOWN', 0, 'UNKNOWN'],
    ['', 'UNKNOWN', 0, 'UNKNOWN'],
  ])('projects phase %j to %s (%i), group %s', async (phase, status, statusCode, statusGroup) => {
    stack.emulator.setFault({ status: 200, body: withItem((item) => (item.status.phase = phase)) });
    const res = await stack.gql('{ trainingJobs { jobs { status statusCode statusGroup phase } } }');
    expect(res.body.data?.trainingJobs.jobs).toEqual([{ status, statusCode, statusGroup, phase }]);
  });

  it.each([
    ['description absent', (i: any) => delete i.metadata.description, { description: '' }],
    ['description null', (i: any) => (i.metadata.description = null), { description: '' }],
    ['secondary_phase absent', (i: any) => delete i.status.secondary_phase, { secondaryPhase: null }],
    ['secondary_phase null', (i: any) => (i.status.secondary_phase = null), { secondaryPhase: null }],
    ['secondary_phase a number', (i: any) => (i.status.secondary_phase = 3), { secondaryPhase: null }],
    ['extra fields', (i: any) => Object.assign(i, { algorithm: { id: 'x' }, spec: {} }), { description: 'd' }],
  ])('reads a page with %s', async (_what, edit, expected) => {
    stack.emulator.setFault({ status: 200, body: withItem(edit) });
    const res = await stack.gql(QUERY);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.trainingJobs.jobs[0]).toMatchObject(expected);
  });

  const MALFORMED: Array<[string, string]> = [
    ['no items', JSON.stringify({ count: 1 })],
    ['items not an array', JSON.stringify({ count: 1, items: {} })],
    ['no count', JSON.stringify({ items: [ITEM] })],
    ['count a string', JSON.stringify({ count: '1', items: [ITEM] })],
    ['count negative', JSON.stringify({ count: -1, items: [ITEM] })],
    ['an item not an object', page(['job'])],
    ['no metadata', withItem((i) => delete i.metadata)],
    ['no status', withItem((i) => delete i.status)],
    ['no metadata.id', withItem((i) => delete i.metadata.id)],
    ['metadata.id a number', withItem((i) => (i.metadata.id = 42))],
    ['no metadata.name', withItem((i) => delete i.metadata.name)],
    ['metadata.name null', withItem((i) => (i.metadata.name = null))],
    ['no metadata.create_time', withItem((i) => delete i.metadata.create_time)],
    ['metadata.create_time a string', withItem((i) => (i.metadata.create_time = '1636447346315'))],
    ['metadata.create_time negative', withItem((i) => (i.metadata.create_time = -1))],
    ['no status.phase', withItem((i) => delete i.status.phase)],
    ['status.phase a number', withItem((i) => (i.status.phase = 8))],
    ['no status.duration', withItem((i) => delete i.status.duration)],
    ['status.duration fractional', withItem((i) => (i.status.duration = 1.5))],
    ['metadata.description a number', withItem((i) => (i.metadata.description = 7))],
    ['a body that is not JSON', '{"items": ['],
    ['a JSON array', '[]'],
  ];

  it.each(MALFORMED)('answers UPSTREAM_ERROR for a 200 with %s', async (_what, body) => {
    stack.emulator.setFault({ status: 200, body } satisfies Fault);
    const res = await stack.gql(QUERY);
    expect(res.body.data).toEqual({ trainingJobs: null });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200 } });
  });

  it('fails a page beyond 50 jobs when any covering call fails, with that call’s error', async () => {
    stack.emulator.setFault([{ when: { offset: '1' }, status: 403, error: { shape: 'v2', code: 'ModelArts.2784' } }]);
    const res = await stack.gql('{ trainingJobs(perPage: 100) { totalCount } }');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', upstream: { errorCode: 'ModelArts.2784' } });
  });
});
