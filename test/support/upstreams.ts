/**
 * The upstreams the contract suites run against (DESIGN.md "The ModelArts v2 upstream"): the
 * same test, by parameter, on v1 and on v2. What only one of them does stays in a test of its own.
 */
import type { Emulator } from '../../src/emulator/index.ts';

export const UPSTREAMS = ['v1', 'v2'] as const;
export type Api = (typeof UPSTREAMS)[number];

/** Each upstream's own order when none is given, spelled out as arguments. */
export const OWN_ORDER: Record<Api, string> = { v1: 'sortBy: JOB_NAME, order: ASC', v2: 'sortBy: CREATE_TIME, order: DESC' };

/** A minimal valid page of one job, in each upstream's wire shape, with `fields` spliced into the job. */
export const ONE_JOB_PAGE: Record<Api, (fields?: string) => string> = {
  v1: (fields = '') =>
    `{"job_total_count":1,"jobs":[{"job_id":1,"job_name":"a","version_id":2,"status":1,"create_time":1,"duration":1,"version_count":1${fields}}]}`,
  v2: (fields = '') =>
    `{"total":1,"count":1,"items":[{"metadata":{"id":"0b7c","name":"a","create_time":1},"status":{"phase":"Running","duration":1}${fields}}]}`,
};

/** What the upstream calls asked for, readable on both: v1's query string, v2's body. */
export const callsOf = (emulator: Emulator): string[] => emulator.requests.map((r) => (r.method === 'POST' ? r.body ?? '' : r.query));
