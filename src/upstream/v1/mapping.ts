/** ModelArts v1's page (UPSTREAM.md "Response (200)") -> the domain's, with the shared checks. */
import type { TrainingJob, TrainingJobPage } from '../../domain.ts';
import { fail, id, INT32_MAX, int32, isObject, MAX_EPOCH_MS, optionalInt, safeLong, string } from '../mapping.ts';

function toJob(wire: unknown, i: number): TrainingJob {
  const at = `jobs[${i}]`;
  if (!isObject(wire)) fail(at, 'must be an object');
  const desc = wire.job_desc;
  return {
    id: id(wire.job_id, `${at}.job_id`),
    name: string(wire.job_name, `${at}.job_name`),
    description: desc === undefined || desc === null ? '' : string(desc, `${at}.job_desc`),
    // Any Int32: a code the enum does not know (negative included) reads UNKNOWN, never breaks a page.
    statusCode: int32(wire.status, `${at}.status`, -INT32_MAX - 1),
    versionId: id(wire.version_id, `${at}.version_id`),
    versionCount: int32(wire.version_count, `${at}.version_count`),
    createdAt: safeLong(wire.create_time, `${at}.create_time`, MAX_EPOCH_MS),
    durationMs: safeLong(wire.duration, `${at}.duration`),
    phase: null,
    secondaryPhase: null,
  };
}

/** Maps a 2xx body to a page; throws MalformedBodyError for anything undocumented. */
export function toTrainingJobPage(body: unknown, query: { page: number; perPage: number }): TrainingJobPage {
  if (!isObject(body)) fail('body', 'must be a JSON object');
  if (body.is_success !== undefined && body.is_success !== true) fail('is_success', 'is not true');
  if (!Array.isArray(body.jobs)) fail('jobs', 'must be an array');
  return {
    jobs: body.jobs.map(toJob),
    totalCount: int32(body.job_total_count, 'job_total_count'),
    remainingJobs: optionalInt(body.job_count_limit, 'job_count_limit'),
    maxRunningJobs: optionalInt(body.quotas, 'quotas'),
    page: query.page,
    perPage: query.perPage,
  };
}
