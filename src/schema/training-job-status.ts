import { builder } from './builder.ts';

/**
 * Upstream job status codes (UPSTREAM.md "Job status codes"; upstream names carry a JOBSTAT_
 * prefix). The enum's internal value is the code, so filters send it as is.
 */
const STATUSES = {
  UNKNOWN: [0, 'Unknown, or a status code newer than this schema (see statusCode).'],
  INIT: [1, 'The job is being initialized.'],
  IMAGE_CREATING: [2, 'The job image is being created.'],
  IMAGE_FAILED: [3, 'The job image could not be created.'],
  SUBMIT_TRYING: [4, 'The job is being submitted.'],
  SUBMIT_FAILED: [5, 'The job could not be submitted.'],
  DELETE_FAILED: [6, 'The job could not be deleted.'],
  WAITING: [7, 'The job is queued, waiting for resources.'],
  RUNNING: [8, 'The job is running.'],
  KILLING: [9, 'The job is being canceled.'],
  COMPLETED: [10, 'The job completed successfully.'],
  FAILED: [11, 'The job failed.'],
  KILLED: [12, 'The job was canceled (cancellation succeeded).'],
  CANCELED: [13, 'The job was canceled.'],
  LOST: [14, 'The job was lost.'],
  SCALING: [15, 'The job is being scaled.'],
  SUBMIT_MODEL_FAILED: [16, 'The model could not be submitted.'],
  DEPLOY_SERVICE_FAILED: [17, 'The service could not be deployed.'],
  CHECK_INIT: [18, 'The review is being initialized.'],
  CHECK_RUNNING: [19, 'The job is under review.'],
  CHECK_RUNNING_COMPLETED: [20, 'The review is done.'],
  CHECK_FAILED: [21, 'The review failed.'],
  MOUNT_FAILED: [22, 'A storage volume could not be mounted.'],
} as const;

type StatusCode = (typeof STATUSES)[keyof typeof STATUSES][0];
const KNOWN_CODES = new Set<number>(Object.values(STATUSES).map(([code]) => code));

/** The enum name of each known code, e.g. 8 -> RUNNING. */
export const STATUS_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(STATUSES).map(([name, [code]]) => [code, name]));

/** The enum value for a raw code: unknown codes become UNKNOWN so one odd job never breaks a page. */
export const statusOf = (code: number): StatusCode => (KNOWN_CODES.has(code) ? (code as StatusCode) : 0);

export const TrainingJobStatus = builder.enumType('TrainingJobStatus', {
  description:
    'The state of a training job. Filtering by UNKNOWN asks for code 0; jobs whose code is ' +
    'newer than this schema also read UNKNOWN, with the raw code in statusCode. On ModelArts v2 ' +
    'the status is projected from the phase (TrainingJob.phase): Creating INIT, Pending WAITING, ' +
    'Running RUNNING, Terminating KILLING, Completed COMPLETED, Failed and Abnormal FAILED, ' +
    'Terminated KILLED, any other phase UNKNOWN; a filter on a status no phase projects to is empty.',
  values: Object.fromEntries(
    Object.entries(STATUSES).map(([name, [value, description]]) => [name, { value, description }]),
  ) as { [K in keyof typeof STATUSES]: { value: (typeof STATUSES)[K][0]; description: string } },
});
