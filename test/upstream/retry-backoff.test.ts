import { describe, expect, it } from 'vitest';
import { backoffMs, RETRIED_STATUSES, retryAfterMs } from '../../src/upstream/retry.ts';

describe('backoffMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [5, 1600],
    [6, 2000],
    [30, 2000],
  ])('waits less than the ceiling of attempt %i (%i ms)', (attempt, ceiling) => {
    expect(backoffMs(attempt, () => 0)).toBe(0);
    expect(backoffMs(attempt, () => 0.999999)).toBe(ceiling - 1);
    expect(backoffMs(attempt, () => 0.5)).toBe(Math.floor(ceiling / 2));
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['3', 3000],
    [' 12 ', 12000],
    ['Sun, 29 Nov 2026 10:00:05 GMT', 5000],
    ['Sun, 29 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['1.5', undefined],
  ])('reads %j as %j ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});

it('retries exactly 429, 502, 503 and 504 among statuses', () => {
  expect([...RETRIED_STATUSES].sort()).toEqual([429, 502, 503, 504]);
});
