// Property-based tests (fast-check) for a status group's merge (DESIGN.md "Status groups and
// counts"): when the upstream sorts each branch the way the gateway compares, the pages of a
// group, walked one after another, are the stable sort of the group's jobs (branches in
// ascending code), each job once. Fixed seed, so CI runs are reproducible.

import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { STATUS_GROUPS, type SortField, type SortOrder, type StatusGroup, type TrainingJob } from '../../src/domain.ts';
import { COMPARE_BY as compare, mergePage, type Branch } from '../../src/upstream/v1/merge.ts';

const SEED = 42;
const FIELDS: SortField[] = ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME'];
const GROUPS = Object.keys(STATUS_GROUPS) as StatusGroup[];

// Few distinct values, so ties are common; names mix ASCII, CJK, and text beyond U+FFFF.
const text = fc.constantFrom('a', 'b', 'ab', '中', '中文', '\uff5e', '\u{1f600}', 'x\u{1f601}', '');
const jobs = fc.array(
  fc.record({
    name: text,
    description: text,
    statusCode: fc.integer({ min: 0, max: 23 }),
    versionCount: fc.integer({ min: 0, max: 3 }),
    createdAt: fc.integer({ min: 0, max: 5 }),
    durationMs: fc.integer({ min: 0, max: 5 }),
  }),
  { maxLength: 80 },
);

describe('a status group walked page by page', () => {
  it('is the stable sort of its jobs, branch by branch in ascending code, each job once', () => {
    fc.assert(
      fc.property(jobs, fc.constantFrom(...GROUPS), fc.constantFrom(...FIELDS), fc.constantFrom<SortOrder>('ASC', 'DESC'), fc.integer({ min: 1, max: 12 }), (records, group, sortBy, order, perPage) => {
        const all: TrainingJob[] = records.map((r, i) => ({ ...r, id: String(i), versionId: '1', phase: null, secondaryPhase: null }));
        const sign = order === 'ASC' ? 1 : -1;
        const sorted = (list: TrainingJob[]) => [...list].sort((a, b) => sign * compare[sortBy](a, b));
        // Each branch as an upstream that sorts the way the gateway compares (ties in its own order).
        const byCode = STATUS_GROUPS[group].map((code) => sorted(all.filter((j) => j.statusCode === code)));
        const expected = sorted(byCode.flat()).map((j) => j.id);
        const walked: string[] = [];
        for (let page = 1; page <= Math.ceil(expected.length / perPage) + 1; page++) {
          const depth = page * perPage;
          const branches: Branch[] = byCode.map((b) => ({ jobs: b.slice(0, depth), totalCount: b.length }));
          walked.push(...mergePage(branches, sortBy, order, page, perPage).map((j) => j.id));
        }
        expect(walked).toEqual(expected);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
