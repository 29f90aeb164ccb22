/**
 * ModelArts v1's shapes exactly as sent (UPSTREAM.md "Request", "Response (200)"). Only this
 * folder knows them.
 */
import type { WireLong } from '../wire.ts';

export interface WireJob {
  job_id: WireLong;
  job_name: string;
  version_id: WireLong;
  status: number;
  create_time: WireLong;
  duration: WireLong;
  job_desc?: string | null;
  version_count: WireLong;
}

export interface WirePage {
  is_success?: boolean;
  job_total_count: number;
  job_count_limit?: number | null;
  quotas?: number | null;
  jobs: WireJob[];
}

/** Query keys of GET /v1/{project_id}/training-jobs, in the order we send them. */
export interface WireQuery {
  status?: string;
  per_page: string;
  page: string;
  sortBy: string;
  order: string;
  search_content?: string;
  workspace_id: string;
}

export const WIRE_SORT_FIELDS = {
  JOB_NAME: 'job_name',
  JOB_DESC: 'job_desc',
  STATUS: 'status',
  DURATION: 'duration',
  VERSION_COUNT: 'version_count',
  CREATE_TIME: 'create_time',
} as const;

export const WIRE_ORDERS = { ASC: 'asc', DESC: 'desc' } as const;
