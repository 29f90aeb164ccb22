// The bytes the emulator sends. A hand-written serializer because JSON.stringify cannot write a
// bigint, and quoting or rounding ids would hide exactly the bug the gateway must not have.
import { randomUUID } from 'node:crypto';
import type { EmulatorJob } from './dataset.ts';
import { phaseOf, secondaryPhaseOf, uuidOf } from './phases.ts';

/** The error bodies a client meets (UPSTREAM.md "Errors"; v2's own carries error_solution, UPSTREAM.md "v2"). */
export type ErrorBodyShape = 'v1' | 'modelarts' | 'apigw' | 'v2';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

// Jobs are treated as immutable once served, so a fragment never goes stale; the WeakMap lets
// jobs of a discarded emulator be collected. Benchmarks serve 1000-job pages: this keeps a
// response to one join.
const fragments = new WeakMap<EmulatorJob, string>();

export function jobJson(job: EmulatorJob): string {
  let text = fragments.get(job);
  if (text === undefined) {
    text =
      `{"job_id":${job.jobId.toString()},"job_name":${JSON.stringify(job.jobName)},` +
      `"version_id":${job.versionId.toString()},"status":${num(job.status)},` +
      `"create_time":${num(job.createTime)},"duration":${num(job.duration)},` +
      `"job_desc":${JSON.stringify(job.jobDesc)},"version_count":${num(job.versionCount)}}`;
    fragments.set(job, text);
  }
  return text;
}

/** JSON.stringify writes NaN/Infinity as null, which keeps the body valid JSON whatever the input. */
function num(value: number): string {
  return JSON.stringify(value);
}

/** The seed's success body, keys in the order the brief fixes; a null limit or quota omits its key. */
export function successBody(
  total: number,
  jobCountLimit: number | null,
  quotas: number | null,
  jobs: readonly EmulatorJob[],
): string {
  let head = `{"is_success":true,"job_total_count":${total}`;
  if (jobCountLimit !== null) head += `,"job_count_limit":${num(jobCountLimit)}`;
  if (quotas !== null) head += `,"quotas":${num(quotas)}`;
  return `${head},"jobs":[${jobs.map(jobJson).join(',')}]}`;
}

const itemFragments = new WeakMap<EmulatorJob, string>();

/** One v2 item: the fields UPSTREAM.md "v2" lists, and a little of what else the upstream sends. */
export function itemJson(job: EmulatorJob): string {
  let text = itemFragments.get(job);
  if (text === undefined) {
    const started = job.duration > 0 ? job.createTime + 1000 : 0;
    text =
      `{"kind":"job","metadata":{"id":"${uuidOf(job.jobId)}","name":${JSON.stringify(job.jobName)},` +
      `"description":${JSON.stringify(job.jobDesc)},"create_time":${num(job.createTime)},` +
      `"workspace_id":${JSON.stringify(job.workspaceId)},"user_name":"emulator"},` +
      `"status":{"phase":"${phaseOf(job.status)}","secondary_phase":"${secondaryPhaseOf(job.status)}",` +
      `"duration":${num(job.duration)},"start_time":${num(started)},"tasks":["worker-0"]}}`;
    itemFragments.set(job, text);
  }
  return text;
}

/** v2's success body (UPSTREAM.md "v2" example), echoing the query. */
export function searchBody(
  result: { total: number; count: number; jobs: readonly EmulatorJob[] },
  query: { offset: number; limit: number; order: string; workspaceId: string },
): string {
  return (
    `{"total":${result.total},"count":${result.count},"limit":${query.limit},"offset":${query.offset},` +
    `"sort_by":"create_time","order":"${query.order}","group_by":"","workspace_id":${JSON.stringify(query.workspaceId)},` +
    `"ai_project":"default-ai-project","items":[${result.jobs.map(itemJson).join(',')}]}`
  );
}

export function errorBody(shape: ErrorBodyShape, code: string, message: string, requestId: string): string {
  switch (shape) {
    case 'v1':
      return JSON.stringify({ is_success: false, error_code: code, error_message: message });
    case 'modelarts':
      return JSON.stringify({ error_code: code, error_msg: message });
    case 'apigw':
      return JSON.stringify({ error_code: code, error_msg: message, request_id: requestId });
    case 'v2':
      return JSON.stringify({ error_code: code, error_msg: message, error_solution: 'Check the request and try again.' });
  }
}

/** 32 lowercase hex digits, the format of the API gateway's X-Request-Id. */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}
