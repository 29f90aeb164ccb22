/**
 * The merge of a status group's branches (src/upstream/v1/merge.ts), with tables: the order by
 * each sort field both ways, ties to the lower branch then the upstream's order, code-point
 * names, paging and totals, and branches read only to the depth of the page.
 */
import { describe, expect, it } from 'vitest';
import type { SortField, TrainingJob } from '../../src/domain.ts';
import { compareCodePoints, mergePage, totalOf, type Branch } from '../../src/upstream/v1/merge.ts';

const job = (id: string, fields: Partial<TrainingJob> = {}): TrainingJob => ({
  id,
  name: id,
  description: '',
  statusCode: 0,
  versionId: '1',
  versionCount: 1,
  createdAt: 0,
  durationMs: 0,
  phase: null,
  secondaryPhase: null,
  ...fields,
});
const branch = (...jobs: TrainingJob[]): Branch => ({ jobs, totalCount: jobs.length });
const ids = (jobs: TrainingJob[]) => jobs.map((j) => j.id);

describe('compareCodePoints', () => {
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['', 'a', -1],
    // U+FF5E (one unit, 0xFF5E) before U+1F600 (two units from 0xD83D): `<` says the opposite.
    ['\uff5e', '\u{1f600}', -1],
    ['\u{1f600}', '\uff5e', 1],
    ['x\u{1f600}', 'x\u{1f601}', -1],
    ['中文', '中国', 1],
  ])('%j against %j is %i', (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
  });
});

describe('mergePage', () => {
  it.each<[SortField, keyof TrainingJob]>([
    ['DURATION', 'durationMs'],
    ['CREATE_TIME', 'createdAt'],
    ['VERSION_COUNT', 'versionCount'],
    ['STATUS', 'statusCode'],
  ])('merges by %s as numbers, ascending and descending', (sortBy, key) => {
    const a = branch(job('a1', { [key]: 1 }), job('a5', { [key]: 5 }), job('a9', { [key]: 9 }));
    const b = branch(job('b2', { [key]: 2 }), job('b3', { [key]: 3 }), job('b10', { [key]: 10 }));
    expect(ids(mergePage([a, b], sortBy, 'ASC', 1, 10))).toEqual(['a1', 'b2', 'b3', 'a5', 'a9', 'b10']);
    const down = [branch(...[...a.jobs].reverse()), branch(...[...b.jobs].reverse())];
    expect(ids(mergePage(down, sortBy, 'DESC', 1, 10))).toEqual(['b10', 'a9', 'a5', 'b3', 'b2', 'a1']);
  });

  it('merges names and descriptions by code point', () => {
    const a = branch(job('1', { name: 'b', description: '\u{1f600}' }));
    const b = branch(job('2', { name: 'a', description: '\uff5e' }), job('3', { name: 'c', description: '\u{1f601}' }));
    expect(ids(mergePage([a, b], 'JOB_NAME', 'ASC', 1, 10))).toEqual(['2', '1', '3']);
    expect(ids(mergePage([a, b], 'JOB_DESC', 'ASC', 1, 10))).toEqual(['2', '1', '3']);
  });

  it('gives ties to the lower branch, then keeps the upstream order within a branch, both ways', () => {
    const low = branch(job('l1', { durationMs: 5 }), job('l2', { durationMs: 5 }));
    const high = branch(job('h1', { durationMs: 5 }), job('h2', { durationMs: 5 }));
    expect(ids(mergePage([low, high], 'DURATION', 'ASC', 1, 10))).toEqual(['l1', 'l2', 'h1', 'h2']);
    expect(ids(mergePage([low, high], 'DURATION', 'DESC', 1, 10))).toEqual(['l1', 'l2', 'h1', 'h2']);
  });

  it('keeps a branch in the upstream order even where it disagrees with the comparison', () => {
    // An upstream with another collation: its order stands, and every job comes out once.
    const a = branch(job('z', { name: 'z' }), job('a', { name: 'a' }));
    const b = branch(job('m', { name: 'm' }));
    expect(ids(mergePage([a, b], 'JOB_NAME', 'ASC', 1, 10))).toEqual(['m', 'z', 'a']);
  });

  it('pages the merged sequence and sums the totals', () => {
    const a = branch(...[1, 3, 5, 7, 9].map((d) => job(`a${d}`, { durationMs: d })));
    const b = branch(...[2, 4, 6, 8].map((d) => job(`b${d}`, { durationMs: d })));
    expect(totalOf([a, b, { jobs: [], totalCount: 7 }])).toBe(16);
    const pages = [1, 2, 3, 4].map((page) => ids(mergePage([a, b], 'DURATION', 'ASC', page, 3)));
    expect(pages).toEqual([['a1', 'b2', 'a3'], ['b4', 'a5', 'b6'], ['a7', 'b8', 'a9'], []]);
  });

  it('needs no job past the depth of the page from any branch', () => {
    // Branches cut at page × perPage = 4 give the same page 2 as whole ones.
    const whole = [0, 1].map((k) => branch(...Array.from({ length: 10 }, (_, i) => job(`${k}-${i}`, { durationMs: i }))));
    const cut = whole.map((b) => ({ jobs: b.jobs.slice(0, 4), totalCount: b.totalCount }));
    expect(ids(mergePage(cut, 'DURATION', 'ASC', 2, 2))).toEqual(ids(mergePage(whole, 'DURATION', 'ASC', 2, 2)));
    expect(ids(mergePage(cut, 'DURATION', 'ASC', 2, 2))).toEqual(['0-1', '1-1']);
  });

  it('answers an empty page for no branches or empty ones', () => {
    expect(mergePage([], 'JOB_NAME', 'ASC', 1, 10)).toEqual([]);
    expect(mergePage([branch(), branch()], 'JOB_NAME', 'DESC', 1, 10)).toEqual([]);
  });
});
