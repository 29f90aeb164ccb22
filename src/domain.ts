/** The domain records resolvers see: camelCase, exact, already validated. */

export type SortField = 'JOB_NAME' | 'JOB_DESC' | 'STATUS' | 'DURATION' | 'VERSION_COUNT' | 'CREATE_TIME';
export type SortOrder = 'ASC' | 'DESC';

/** Statuses as a job list shows them (DESIGN.md "Status groups and counts"). */
export type StatusGroup = 'PENDING' | 'RUNNING' | 'REVIEW' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'UNKNOWN';

/** Each group's status codes, ascending: the order of a group's branches, and of their ties. */
export const STATUS_GROUPS: Readonly<Record<StatusGroup, readonly number[]>> = {
  PENDING: [1, 2, 4, 7],
  RUNNING: [8, 15],
  REVIEW: [18, 19, 20],
  SUCCEEDED: [10],
  FAILED: [3, 5, 6, 11, 14, 16, 17, 21, 22],
  STOPPED: [9, 12, 13],
  UNKNOWN: [0],
};

/** The codes the schema knows, 0 to 22: the counts ask for each. */
export const STATUS_CODES: readonly number[] = Array.from({ length: 23 }, (_, code) => code);

const GROUP_OF = new Map<number, StatusGroup>(
  Object.entries(STATUS_GROUPS).flatMap(([group, codes]) => codes.map((code) => [code, group as StatusGroup] as const)),
);

/** The group of a raw code; a code newer than the schema is UNKNOWN. */
export const statusGroupOf = (code: number): StatusGroup => GROUP_OF.get(code) ?? 'UNKNOWN';

/** The normalized arguments of one trainingJobs call: validated, never changed once built (each upstream keeps the request it builds from one). */
export interface TrainingJobsQuery {
  readonly status: number | undefined;
  /** Every status of the group (never with status): a page merged from one branch per code. */
  readonly statusGroup?: StatusGroup | undefined;
  readonly page: number;
  readonly perPage: number;
  /** undefined: the upstream's own order (v1 JOB_NAME, v2 CREATE_TIME). */
  readonly sortBy?: SortField | undefined;
  /** undefined: the upstream's own direction (v1 ASC, v2 DESC). */
  readonly order?: SortOrder | undefined;
  /** undefined when no search was given or it was empty. */
  readonly search: string | undefined;
  readonly workspaceId: string;
}

export interface TrainingJob {
  /** 64-bit, exact, as a decimal string. */
  id: string;
  name: string;
  description: string;
  /** The raw upstream status code, which may be newer than the schema's enum. */
  statusCode: number;
  /** null on v2, which has no job versions. */
  versionId: string | null;
  versionCount: number | null;
  /** Epoch milliseconds. */
  createdAt: number;
  durationMs: number;
  /** v2's status.phase and status.secondary_phase as sent; null on v1. */
  phase: string | null;
  secondaryPhase: string | null;
}

export interface TrainingJobPage {
  jobs: TrainingJob[];
  totalCount: number;
  remainingJobs: number | null;
  maxRunningJobs: number | null;
  page: number;
  perPage: number;
}

/** What trainingJobCounts counts over: the same search and workspace as a page. */
export interface CountsFilter {
  readonly search: string | undefined;
  readonly workspaceId: string;
}

export interface StatusCounts {
  /** Jobs of every status, codes newer than the schema's included. */
  total: number;
  /** Codes 0 to 22 with their counts, in code order, zeros included. */
  byStatus: Array<{ statusCode: number; count: number }>;
}
