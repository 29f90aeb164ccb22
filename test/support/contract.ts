/**
 * DESIGN.md and UPSTREAM.md restated for tests, independently of src/ (a test that took these
 * from the code under test could not catch the code drifting from the contract), and a helper
 * the argument tests share.
 */

import { GatewayError } from '../../src/errors.ts';
import { toTrainingJobsQuery, type TrainingJobsArgs } from '../../src/schema/arguments.ts';

/** UPSTREAM.md "Job status codes", in order: the name at index i is code i. */
export const STATUS_NAMES = [
  'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED',
  'DELETE_FAILED', 'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED',
  'LOST', 'SCALING', 'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING',
  'CHECK_RUNNING_COMPLETED', 'CHECK_FAILED', 'MOUNT_FAILED',
] as const;

/** DESIGN.md "Scalars": the DateTime range, years 0000..9999, in epoch ms; and a day. */
export const MIN_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
export const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z
export const DAY_MS = 86_400_000;

/** DESIGN.md: sort fields and orders, and the upstream strings they send. */
export const WIRE_SORT_FIELDS = {
  JOB_NAME: 'job_name',
  JOB_DESC: 'job_desc',
  STATUS: 'status',
  DURATION: 'duration',
  VERSION_COUNT: 'version_count',
  CREATE_TIME: 'create_time',
} as const;
export const WIRE_ORDERS = { ASC: 'asc', DESC: 'desc' } as const;

/** The GatewayError toTrainingJobsQuery throws for args, or a test failure when it accepts them. */
export function rejection(args: TrainingJobsArgs): GatewayError {
  try {
    toTrainingJobsQuery(args);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected a GatewayError, accepted ${JSON.stringify(args)}`);
}
