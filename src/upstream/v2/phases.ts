/**
 * v2's phases as the schema's statuses (DESIGN.md "The ModelArts v2 upstream", "Status on
 * v2"). No source maps v2 phases to v1 codes, so this table is the gateway's own, defined once:
 * the listing reads a job's status from it, and a status or group filter sends every phase
 * that projects into it. `secondary_phase` never changes the projection (the upstream calls it
 * internal and unstable, UPSTREAM.md "v2").
 */
import { STATUS_GROUPS, type StatusGroup } from '../../domain.ts';

/** Each known phase and its status code, in the order a filter lists them. */
export const PHASES: ReadonlyArray<readonly [phase: string, code: number]> = [
  ['Creating', 1],
  ['Pending', 7],
  ['Running', 8],
  ['Terminating', 9],
  ['Completed', 10],
  ['Failed', 11],
  ['Abnormal', 11],
  ['Terminated', 12],
];

const CODE_OF = new Map(PHASES);

/** A phase's status code; a phase newer than this table is UNKNOWN (0). */
export const statusCodeOf = (phase: string): number => CODE_OF.get(phase) ?? 0;

/** The codes some phase projects to, ascending: what the counts ask for. */
export const PROJECTED_CODES: readonly number[] = [...new Set(PHASES.map(([, code]) => code))].sort((a, b) => a - b);

/** Every phase projecting into one of `codes`, in table order; [] when none does. */
export const phasesOf = (codes: readonly number[]): string[] => PHASES.filter(([, code]) => codes.includes(code)).map(([phase]) => phase);

/** The phase filter of a query: undefined without status or group, [] when no phase reaches it. */
export function phaseFilter(query: { status: number | undefined; statusGroup?: StatusGroup | undefined }): string[] | undefined {
  if (query.statusGroup !== undefined) return phasesOf(STATUS_GROUPS[query.statusGroup]);
  return query.status === undefined ? undefined : phasesOf([query.status]);
}
