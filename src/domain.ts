/** The domain records resolvers see: camelCase, exact, already validated. */

export type SortField = 'JOB_NAME' | 'JOB_DESC' | 'STATUS' | 'DURATION' | 'VERSION_COUNT' | 'CREATE_TIME';
export type SortOrder = 'ASC' | 'DESC';

/** The normalized arguments of one trainingJobs call: defaults applied, validated; never changed once built (query.ts keeps each one's upstream query string). */
export interface TrainingJobsQuery {
  readonly status: number | undefined;
  readonly page: number;
  readonly perPage: number;
  readonly sortBy: SortField;
  readonly order: SortOrder;
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
  versionId: string;
  versionCount: number;
  /** Epoch milliseconds. */
  createdAt: number;
  durationMs: number;
}

export interface TrainingJobPage {
  jobs: TrainingJob[];
  totalCount: number;
  remainingJobs: number | null;
  maxRunningJobs: number | null;
  page: number;
  perPage: number;
}
