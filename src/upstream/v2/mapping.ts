/**
 * v2's answer (UPSTREAM.md "v2", DESIGN.md "Requests, identity and faults") -> the domain's
 * page, with the checks both upstreams share: `items` and `count` are required, and in each
 * item `metadata.id`, `metadata.name`, `metadata.create_time`, `status.phase` and
 * `status.duration`; anything else is read leniently or ignored.
 */
import type { TrainingJob, TrainingJobPage } from '../../domain.ts';
import { fail, int32, isObject, MAX_EPOCH_MS, safeLong, string } from '../mapping.ts';
import { statusCodeOf } from './phases.ts';

function toJob(item: unknown, i: number): TrainingJob {
  const at = `items[${i}]`;
  if (!isObject(item)) fail(at, 'must be an object');
  const { metadata, status } = item;
  if (!isObject(metadata)) fail(`${at}.metadata`, 'must be an object');
  if (!isObject(status)) fail(`${at}.status`, 'must be an object');
  const description = metadata.description;
  const phase = string(status.phase, `${at}.status.phase`);
  return {
    id: string(metadata.id, `${at}.metadata.id`),
    name: string(metadata.name, `${at}.metadata.name`),
    description: description === undefined || description === null ? '' : string(description, `${at}.metadata.description`),
    statusCode: statusCodeOf(phase),
    versionId: null,
    versionCount: null,
    createdAt: safeLong(metadata.create_time, `${at}.metadata.create_time`, MAX_EPOCH_MS),
    durationMs: safeLong(status.duration, `${at}.status.duration`),
    phase,
    // Internal to the upstream and unstable: shown when it is text, never a reason to refuse a page.
    secondaryPhase: typeof status.secondary_phase === 'string' ? status.secondary_phase : null,
  };
}

/** Maps a 2xx body to a page; throws MalformedBodyError for anything undocumented. */
export function toSearchPage(body: unknown, request: { page: number; perPage: number }): TrainingJobPage {
  if (!isObject(body)) fail('body', 'must be a JSON object');
  if (!Array.isArray(body.items)) fail('items', 'must be an array');
  return {
    jobs: body.items.map(toJob),
    // `count` matches the filters; `total` counts every job of the user and is not used.
    totalCount: int32(body.count, 'count'),
    remainingJobs: null,
    maxRunningJobs: null,
    page: request.page,
    perPage: request.perPage,
  };
}
