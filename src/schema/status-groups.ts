/**
 * The status groups of a job list's chips (DESIGN.md "Status groups and counts"), defined once
 * in domain.ts; each value's description lists its codes.
 */
import { STATUS_GROUPS, type StatusGroup } from '../domain.ts';
import { builder } from './builder.ts';
import { STATUS_NAMES } from './training-job-status.ts';

const GROUP_DESCRIPTIONS: Record<StatusGroup, string> = {
  PENDING: 'Not running yet',
  RUNNING: 'Running',
  REVIEW: 'Under review',
  SUCCEEDED: 'Completed successfully',
  FAILED: 'Failed',
  STOPPED: 'Stopped or being stopped',
  UNKNOWN: 'Unknown, or a status code newer than this schema',
};

const codesOf = (group: StatusGroup) => STATUS_GROUPS[group].map((code) => `${STATUS_NAMES.get(code)} ${code}`).join(', ');

export const TrainingJobStatusGroup = builder.enumType('TrainingJobStatusGroup', {
  description: 'Statuses as a job list shows them; each group stands for the codes in its description.',
  values: Object.fromEntries(
    (Object.keys(STATUS_GROUPS) as StatusGroup[]).map((group) => [group, { value: group, description: `${GROUP_DESCRIPTIONS[group]}: ${codesOf(group)}.` }]),
  ) as Record<StatusGroup, { value: StatusGroup; description: string }>,
});
