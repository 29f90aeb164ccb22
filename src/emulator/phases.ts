// Each job's v2 phase and secondary phase, from its v1 code (DESIGN.md "The emulator serves v2
// too"): the same data set answers both routes. A code outside the table is Abnormal.
import { createHash } from 'node:crypto';

const PHASE_BY_CODE = new Map<number, string>();
const RULE: ReadonlyArray<readonly [phase: string, codes: readonly number[]]> = [
  ['Creating', [1, 2, 4, 18]],
  ['Pending', [7]],
  ['Running', [8, 15, 19]],
  ['Terminating', [9]],
  ['Completed', [10, 20]],
  ['Failed', [3, 5, 6, 11, 16, 17, 21, 22]],
  ['Abnormal', [14, 0]],
  ['Terminated', [12, 13]],
];
for (const [phase, codes] of RULE) for (const code of codes) PHASE_BY_CODE.set(code, phase);

export const phaseOf = (code: number): string => PHASE_BY_CODE.get(code) ?? 'Abnormal';

/** The upstream's internal sub-state, loosely after the documented list; clients must not rely on it. */
const SECONDARY: Record<string, string> = {
  Creating: 'Creating',
  Pending: 'Queuing',
  Running: 'Running',
  Terminating: 'Terminating',
  Completed: 'Completed',
  Failed: 'Failed',
  Terminated: 'Terminated',
};

export function secondaryPhaseOf(code: number): string {
  if (code === 14) return 'Lost';
  if (code === 0) return 'Unknown';
  return SECONDARY[phaseOf(code)] ?? 'Unknown';
}

/** A UUID-shaped id derived from the v1 id: stable, distinct per job, and nothing like a number. */
export function uuidOf(jobId: bigint): string {
  const hex = createHash('sha256').update(`job:${jobId.toString()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
