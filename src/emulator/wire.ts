// The bytes the emulator sends. A hand-written serializer because JSON.stringify cannot write a
// bigint, and quoting or rounding ids would hide exactly the bug the gateway must not have.
import { randomUUID } from 'node:crypto';
import type { EmulatorJob } from './dataset.ts';

/** The three error bodies a client meets (UPSTREAM.md "Errors"). */
export type ErrorBodyShape = 'v1' | 'modelarts' | 'apigw';

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

export function errorBody(shape: ErrorBodyShape, code: string, message: string, requestId: string): string {
  switch (shape) {
    case 'v1':
      return JSON.stringify({ is_success: false, error_code: code, error_message: message });
    case 'modelarts':
      return JSON.stringify({ error_code: code, error_msg: message });
    case 'apigw':
      return JSON.stringify({ error_code: code, error_msg: message, request_id: requestId });
  }
}

/** 32 lowercase hex digits, the format of the API gateway's X-Request-Id. */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}
