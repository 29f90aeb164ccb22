/**
 * What every system is asked and what it must answer: the one query, the upstream request, and
 * a hand-written wire -> response mapping. The floor serves this mapping; the runner uses it to
 * check the gateway against DESIGN.md before comparing the peers with the gateway.
 */
import { formatDuration } from '../../src/scalars/duration.ts';

export const QUERY =
  'query Jobs($perPage: Int!) { trainingJobs(perPage: $perPage) { totalCount ' +
  'pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs } ' +
  'jobs { id name description status statusCode versionId versionCount createdAt duration } } }';

export const TOKEN = 'bench';
export const PROJECT = 'bench';

/** The POST body every system gets for a page size. */
export const requestBody = (perPage: number): string => JSON.stringify({ query: QUERY, variables: { perPage } });

/** The upstream path and query the gateway sends for this query (defaults spelled out). */
export const upstreamPath = (perPage: number): string =>
  `/v1/${PROJECT}/training-jobs?per_page=${perPage}&page=1&sortBy=job_name&order=asc&workspace_id=0`;

/** Upstream codes 0..22 in order (UPSTREAM.md "Job status codes"); others read UNKNOWN. */
export const STATUS_NAMES: readonly string[] = [
  'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED', 'DELETE_FAILED',
  'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED', 'LOST', 'SCALING',
  'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING', 'CHECK_RUNNING_COMPLETED',
  'CHECK_FAILED', 'MOUNT_FAILED',
];

export const statusName = (code: number): string => STATUS_NAMES[code] ?? 'UNKNOWN';

/** One job as the stub sends it; ids are safe integers, so plain JSON.parse is exact. */
export interface WireJob {
  job_id: number;
  job_name: string;
  version_id: number;
  status: number;
  create_time: number;
  duration: number;
  job_desc?: string | null;
  version_count: number;
}

export interface WirePage {
  is_success?: boolean;
  job_total_count: number;
  job_count_limit?: number | null;
  quotas?: number | null;
  jobs: WireJob[];
}

/** The full GraphQL response for the query, built by hand in field order. */
export function toResponse(wire: WirePage, page: number, perPage: number): unknown {
  const total = wire.job_total_count;
  const totalPages = Math.ceil(total / perPage);
  const jobs = new Array(wire.jobs.length);
  for (let i = 0; i < wire.jobs.length; i++) {
    const j = wire.jobs[i] as WireJob;
    jobs[i] = {
      id: String(j.job_id),
      name: j.job_name,
      description: j.job_desc ?? '',
      status: statusName(j.status),
      statusCode: j.status,
      versionId: String(j.version_id),
      versionCount: j.version_count,
      createdAt: new Date(j.create_time).toISOString(),
      duration: formatDuration(j.duration),
    };
  }
  return {
    data: {
      trainingJobs: {
        totalCount: total,
        pageInfo: { page, perPage, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 },
        quota: { remainingJobs: wire.job_count_limit ?? null, maxRunningJobs: wire.quotas ?? null },
        jobs,
      },
    },
  };
}
