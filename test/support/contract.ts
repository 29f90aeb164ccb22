/**
 * DESIGN.md and UPSTREAM.md restated for tests, independently of src/: a test that took these
 * from the code under test could not catch the code drifting from the contract.
 */

/** UPSTREAM.md "Job status codes", in order: the name at index i is code i. */
export const STATUS_NAMES = [
  'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED',
  'DELETE_FAILED', 'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED',
  'LOST', 'SCALING', 'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING',
  'CHECK_RUNNING_COMPLETED', 'CHECK_FAILED', 'MOUNT_FAILED',
] as const;

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
