/**
 * Wire -> domain, with the checks DESIGN.md "Precise rules" asks for: a job lacking a
 * documented field, or carrying one of the wrong type, makes the whole page malformed
 * (no silent defaults); unknown extra fields are ignored.
 */
import type { TrainingJob, TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import type { WireError } from './wire.ts';

/** The body is not the documented shape. `detail` is for the server log only. */
export class MalformedBodyError extends Error {
  constructor(readonly detail: string) {
    super(`malformed upstream body: ${detail}`);
    this.name = 'MalformedBodyError';
  }
}

const INT32_MAX = 2 ** 31 - 1;
const LONG_LIMIT = 2n ** 63n;
// 9999-12-31T23:59:59.999Z: beyond it RFC 3339 has no way to write the year.
const MAX_EPOCH_MS = 253402300799999;

type Record_ = Record<string, unknown>;

const isObject = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new MalformedBodyError(`${where} ${what}`);
}

/** A GraphQL Int: 32-bit signed. */
function int32(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT32_MAX) {
    fail(where, `must be an integer between ${min} and ${INT32_MAX}`);
  }
  return v;
}

/** A non-negative Long kept as a number (ms values stay far below 2^53 when valid). */
function safeLong(v: unknown, where: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
    fail(where, `must be an integer between 0 and ${max}`);
  }
  return v;
}

/** A 64-bit id: exact, non-negative, below 2^63, as a decimal string. */
function id(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'bigint' && v >= 0n && v < LONG_LIMIT) return v.toString();
  return fail(where, 'must be an integer between 0 and 2^63-1');
}

function string(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(where, 'must be a string');
  return v;
}

function optionalInt(v: unknown, where: string): number | null {
  return v === undefined || v === null ? null : int32(v, where, -INT32_MAX);
}

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
  };
}

/** Maps a 2xx body to a page; throws MalformedBodyError for anything undocumented. */
export function toTrainingJobPage(body: unknown, query: TrainingJobsQuery): TrainingJobPage {
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

/** The error fields of any of the three error shapes, or nothing when the body has none. */
export function toWireError(body: unknown): WireError {
  if (!isObject(body)) return {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    is_success: typeof body.is_success === 'boolean' ? body.is_success : undefined,
    error_code: text(body.error_code),
    request_id: text(body.request_id),
  };
}
