// The emulator's job data without sockets: generateJobs is deterministic per seed, covers every
// status and holds the awkward cases (ids above 2^53, CJK, duplicate names); defaultJobs is its
// memoised, frozen sample.
import { describe, expect, it } from 'vitest';
import { defaultJobs, generateJobs } from '../../src/emulator/index.ts';

const jobs = defaultJobs();

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
