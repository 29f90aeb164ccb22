// Property-based tests (fast-check) for v2's paging over real sockets (DESIGN.md "The ModelArts
// v2 upstream": Paging, Status on v2, Requests; "The emulator serves v2 too"): walking every
// page of a v2 listing returns each matching job exactly once, in create_time order, with
// totalCount the number of matching jobs, whichever way `offset` is read. The expectation is
// computed from the data set with DESIGN.md's own tables, not with the gateway's or the
// emulator's code, so that a wrong table on either side shows. Fixed seed, so CI runs are
// reproducible.

import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import type { SortOrder, StatusGroup, TrainingJob, TrainingJobPage, TrainingJobsQuery } from '../../src/domain.ts';
import { createEmulator, generateJobs, type Emulator, type EmulatorJob } from '../../src/emulator/index.ts';
import { createUpstreamClient, dialectOf, type UpstreamClient } from '../../src/upstream/client.ts';
import { createTrainingJobsSource } from '../../src/upstream/loaders.ts';

const SEED = 42;
const NUM_RUNS = 40;
const PAGE_SIZE = 50;
type Reading = 'page' | 'record';
const READINGS: Reading[] = ['page', 'record'];

/** DESIGN.md "The emulator serves v2 too": each v1 code's phase; a code outside it is Abnormal. */
const EMULATOR_PHASES: ReadonlyArray<readonly [phase: string, codes: readonly number[]]> = [
  ['Creating', [1, 2, 4, 18]],
  ['Pending', [7]],
  ['Running', [8, 15, 19]],
  ['Terminating', [9]],
  ['Completed', [10, 20]],
  ['Failed', [3, 5, 6, 11, 16, 17, 21, 22]],
  ['Abnormal', [14, 0]],
  ['Terminated', [12, 13]],
];
const phaseOfCode = (code: number): string => EMULATOR_PHASES.find(([, codes]) => codes.includes(code))?.[0] ?? 'Abnormal';

/** DESIGN.md "Status on v2": the projection, in the table's order (the order a filter lists phases in). */
const PROJECTION: ReadonlyArray<readonly [phase: string, status: number, group: StatusGroup]> = [
  ['Creating', 1, 'PENDING'],
  ['Pending', 7, 'PENDING'],
  ['Running', 8, 'RUNNING'],
  ['Terminating', 9, 'STOPPED'],
  ['Completed', 10, 'SUCCEEDED'],
  ['Failed', 11, 'FAILED'],
  ['Abnormal', 11, 'FAILED'],
  ['Terminated', 12, 'STOPPED'],
];
const GROUPS: StatusGroup[] = ['PENDING', 'RUNNING', 'REVIEW', 'SUCCEEDED', 'FAILED', 'STOPPED', 'UNKNOWN'];

type Filter = { status?: number; statusGroup?: StatusGroup };

/** The phases a filter sends, in table order; undefined: no phase filter; []: nothing can match. */
function phasesFor(filter: Filter): string[] | undefined {
  if (filter.statusGroup !== undefined) return PROJECTION.filter(([, , group]) => group === filter.statusGroup).map(([phase]) => phase);
  if (filter.status !== undefined) return PROJECTION.filter(([, status]) => status === filter.status).map(([phase]) => phase);
  return undefined;
}

const WORKSPACE = '0';
// Inside generateJobs' year, so that tied jobs sit among the others rather than at one end.
const SHARED_TIMES = [Date.UTC(2026, 1, 3), Date.UTC(2026, 4, 5, 6), Date.UTC(2026, 7, 8, 9, 10)];

/**
 * A data set whose jobs the test can tell apart on the wire: v2's id is derived inside the
 * emulator, so each name is made unique instead. `ties` gives some jobs one shared create_time.
 */
function dataSet(n: number, seed: number, ties: ReadonlyArray<readonly [index: number, slot: number]>, workspace?: string): EmulatorJob[] {
  const jobs = generateJobs(n, seed).map((job, i) => ({ ...job, jobName: `${job.jobName}#${i}`, workspaceId: workspace ?? job.workspaceId }));
  for (const [index, slot] of ties) if (index < n) jobs[index]!.createTime = SHARED_TIMES[slot % SHARED_TIMES.length]!;
  return jobs;
}

function matching(jobs: readonly EmulatorJob[], filter: Filter): EmulatorJob[] {
  const phases = phasesFor(filter);
  return jobs.filter((job) => job.workspaceId === WORKSPACE && (phases === undefined || phases.includes(phaseOfCode(job.status))));
}

/** The body DESIGN.md "Requests, identity and faults" prescribes, byte for byte. */
function expectedBody(offset: number, limit: number, order: SortOrder, phases: string[] | undefined): string {
  const filters = phases === undefined ? {} : { filters: [{ key: 'phase', operator: 'in', value: phases }] };
  return JSON.stringify({ offset, limit, sort_by: 'create_time', order: order === 'ASC' ? 'asc' : 'desc', workspace_id: WORKSPACE, ...filters });
}

/**
 * The calls DESIGN.md "Paging" prescribes for one page, as [first job, limit, offset]: one call
 * up to 50 jobs; beyond, the covering calls, of which only the first may start at or past `count`.
 */
function expectedCalls(reading: Reading, page: number, perPage: number, count: number): Array<{ start: number; limit: number; offset: number }> {
  const first = (page - 1) * perPage;
  if (perPage <= PAGE_SIZE) return [{ start: first, limit: perPage, offset: reading === 'page' ? page - 1 : first }];
  const calls = [];
  if (reading === 'page') {
    for (let k = Math.floor(first / PAGE_SIZE); k * PAGE_SIZE <= first + perPage - 1; k++) calls.push({ start: k * PAGE_SIZE, limit: PAGE_SIZE, offset: k });
  } else {
    for (let at = 0; at < perPage; at += PAGE_SIZE) calls.push({ start: first + at, limit: Math.min(PAGE_SIZE, perPage - at), offset: first + at });
  }
  return calls.filter((call, i) => i === 0 || call.start < count);
}

/** Where a logged v2 call starts in the listing, under the reading the emulator was given. */
function startOf(body: string | undefined, reading: Reading): number {
  const { offset, limit } = JSON.parse(body ?? '') as { offset: number; limit: number };
  return reading === 'page' ? offset * limit : offset;
}

interface Rig {
  emulator: Emulator;
  client: UpstreamClient;
  read(query: Omit<TrainingJobsQuery, 'search' | 'workspaceId' | 'sortBy'>): Promise<TrainingJobPage>;
  close(): Promise<void>;
}

async function rig(jobs: EmulatorJob[], reading: Reading): Promise<Rig> {
  const emulator = await createEmulator({ jobs, v2Offset: reading }).listen();
  const client = createUpstreamClient({ dialect: dialectOf('v2', reading), endpoint: emulator.url, projectId: 'p', timeoutMs: 5000 });
  return {
    emulator,
    client,
    // A fresh source per page: its loader would otherwise answer a repeated call from memory.
    read: (query) => createTrainingJobsSource(client, { token: 't', requestId: 'r' }).page({ ...query, sortBy: 'CREATE_TIME', search: undefined, workspaceId: WORKSPACE }),
    close: async () => {
      await client.close();
      await emulator.close();
    },
  };
}

/** Jobs in create_time order, ascending or descending as asked (ties in any order). */
function inOrder(jobs: readonly TrainingJob[], order: SortOrder): boolean {
  return jobs.every((job, i) => i === 0 || (order === 'ASC' ? jobs[i - 1]!.createdAt <= job.createdAt : jobs[i - 1]!.createdAt >= job.createdAt));
}

const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 0, max: 22 }).map((status) => ({ status })),
  fc.constantFrom(...GROUPS).map((statusGroup) => ({ statusGroup })),
);

// Both paths equally often, with the boundaries at 50 and 100 (one and two full upstream pages).
const perPageArb = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 51, max: 120 }), fc.constantFrom(1, 49, 50, 51, 99, 100, 101));

const caseArb = fc.record({
  // From 0: an empty listing is an empty page, never an error.
  n: fc.integer({ min: 0, max: 180 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  ties: fc.array(fc.tuple(fc.nat({ max: 179 }), fc.nat({ max: 2 })), { maxLength: 60 }),
  perPage: perPageArb,
  order: fc.constantFrom<SortOrder>('ASC', 'DESC'),
  filter: filterArb,
});

describe.each(READINGS)('v2 paging with offset read as a %s index, over HTTP', (reading) => {
  it('walks every page to each matching job once, in create_time order, totalCount the matching jobs', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ n, seed, ties, perPage, order, filter }) => {
        const jobs = dataSet(n, seed, ties);
        const expected = matching(jobs, filter);
        const phases = phasesFor(filter);
        const wanted = new Map(expected.map((job) => [job.jobName, job]));
        const totalPages = Math.ceil(expected.length / perPage);
        const { emulator, read, close } = await rig(jobs, reading);
        try {
          const walked: TrainingJob[] = [];
          // Page 1 even when nothing matches (totalPages 0), and one past the last: both must be honest.
          for (let page = 1; page <= totalPages + 1; page++) {
            emulator.clearRequests();
            const answer = await read({ status: filter.status, statusGroup: filter.statusGroup, page, perPage, order });
            expect(answer.totalCount).toBe(expected.length);
            expect([answer.page, answer.perPage]).toEqual([page, perPage]);
            expect(answer.jobs.length).toBe(Math.max(0, Math.min(perPage, expected.length - (page - 1) * perPage)));
            walked.push(...answer.jobs);
            const bodies = emulator.requests.map((r) => r.body).sort();
            // A status or group no phase reaches is answered without asking the upstream.
            const calls = phases?.length === 0 ? [] : expectedCalls(reading, page, perPage, expected.length);
            expect(bodies).toEqual(calls.map((c) => expectedBody(c.offset, c.limit, order, phases)).sort());
          }
          expect(walked.map((job) => job.name).sort()).toEqual([...wanted.keys()].sort());
          expect(new Set(walked.map((job) => job.id)).size).toBe(walked.length);
          expect(inOrder(walked, order)).toBe(true);
          for (const job of walked) {
            const source = wanted.get(job.name)!;
            expect(job.createdAt).toBe(source.createTime);
            expect(job.phase).toBe(phaseOfCode(source.status));
            expect(job.statusCode).toBe(PROJECTION.find(([phase]) => phase === job.phase)![1]);
          }
        } finally {
          await close();
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  // The covering path's edge: a page whose last covering call would start exactly at, or past,
  // the job count must not make that call.
  it.each([
    { n: 150, perPage: 51 },
    { n: 150, perPage: 99 },
    { n: 173, perPage: 51 },
    { n: 173, perPage: 99 },
  ])('never calls for jobs at or beyond the count: $n jobs at perPage $perPage', async ({ n, perPage }) => {
    // Every job in one workspace, so that the count is n exactly (a multiple of 50, or not).
    const jobs = dataSet(n, 7, [[3, 0], [4, 0], [60, 1], [61, 1], [62, 1]], WORKSPACE);
    const { emulator, read, close } = await rig(jobs, reading);
    try {
      for (const order of ['ASC', 'DESC'] as const) {
        const names: string[] = [];
        for (let page = 1; page <= Math.ceil(n / perPage); page++) {
          const answer = await read({ status: undefined, page, perPage, order });
          expect(answer.totalCount).toBe(n);
          names.push(...answer.jobs.map((job) => job.name));
        }
        expect(names.sort()).toEqual(jobs.map((job) => job.jobName).sort());
      }
      const starts = emulator.requests.map((r) => startOf(r.body, reading));
      expect(starts.length).toBeGreaterThan(0);
      expect(starts.filter((start) => start >= n)).toEqual([]);
    } finally {
      await close();
    }
  });
});
