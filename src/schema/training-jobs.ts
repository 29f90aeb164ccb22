import type { ArgBuilder } from '@pothos/core';
import { builder, type BuilderTypes } from './builder.ts';
import { LIMITS, toTrainingJobsQuery } from './arguments.ts';
import type { GatewayError } from '../errors.ts';
import type { LiveEvent } from '../live/events.ts';
import { failedStream } from '../live/stream.ts';
import { TrainingJobPage } from './training-job-page.ts';
import { TrainingJobStatus } from './training-job-status.ts';
import { TrainingJobStatusGroup } from './status-groups.ts';
import { plannedFieldsOf } from './budget.ts';

const TrainingJobSortField = builder.enumType('TrainingJobSortField', {
  description: 'What to sort training jobs by.',
  values: {
    JOB_NAME: { description: 'The job name.' },
    JOB_DESC: { description: 'The job description.' },
    STATUS: { description: 'The status code.' },
    DURATION: { description: 'The run time.' },
    VERSION_COUNT: { description: 'The number of versions.' },
    CREATE_TIME: { description: 'The creation time.' },
  } as const,
});

const SortOrder = builder.enumType('SortOrder', {
  description: 'A sort direction.',
  values: {
    ASC: { description: 'Ascending: A to Z, oldest first, smallest first.' },
    DESC: { description: 'Descending: Z to A, newest first, largest first.' },
  } as const,
});

/** The arguments of Query.trainingJobs, which Subscription.trainingJobs repeats exactly. */
const trainingJobsArgs = (arg: ArgBuilder<BuilderTypes>) => ({
  status: arg({
    type: TrainingJobStatus,
    description: 'Only jobs in this status; omitted means every status. Not with statusGroup.',
  }),
  statusGroup: arg({
    type: TrainingJobStatusGroup,
    description:
      'Only jobs in any status of this group (its codes are in its description), merged in the requested order. ' +
      `Not with status; page × perPage at most ${LIMITS.groupDepth}. It costs an upstream call per code, and per 1000 jobs of depth beyond the first.`,
  }),
  page: arg.int({
    required: true,
    defaultValue: 1,
    description: `The page to return, from ${LIMITS.page[0]} to ${LIMITS.page[1]}.`,
  }),
  perPage: arg.int({
    required: true,
    defaultValue: 10,
    description: `Jobs per page, from ${LIMITS.perPage[0]} to ${LIMITS.perPage[1]}.`,
  }),
  sortBy: arg({
    type: TrainingJobSortField,
    description:
      "What to sort by; omitted means the upstream's own order: JOB_NAME on ModelArts v1, CREATE_TIME on v2 " +
      '(the only field v2 sorts by: any other is refused there).',
  }),
  order: arg({
    type: SortOrder,
    description: "The sort direction; omitted means the upstream's own: ASC on ModelArts v1, DESC on v2.",
  }),
  search: arg.string({
    description: `Text to look for in job names, 0 to ${LIMITS.searchLength} characters; empty means no filter.`,
  }),
  workspaceId: arg.id({
    required: true,
    defaultValue: '0',
    description: 'The workspace whose jobs to list; "0" is the default workspace.',
  }),
});

builder.queryField('trainingJobs', (t) =>
  t.field({
    type: TrainingJobPage,
    nullable: true,
    description: 'Training jobs of the configured ModelArts project, one page at a time.',
    args: trainingJobsArgs(t.arg),
    resolve: (_root, args, ctx, info) => {
      const query = toTrainingJobsQuery({ ...args, workspaceId: String(args.workspaceId) }, ctx.sortFields);
      ctx.checkBudget(() => plannedFieldsOf(info, { kind: 'page', query }, ctx.sortFields));
      return ctx.trainingJobs().page(query);
    },
  }),
);

builder.subscriptionField('trainingJobs', (t) =>
  t.field({
    type: TrainingJobPage,
    nullable: true,
    description:
      'The page Query.trainingJobs answers for the same arguments: sent at once, then again each time it ' +
      'changes (any field). One poller per distinct page, however many watch it. An error ends the stream.',
    args: trainingJobsArgs(t.arg),
    // Argument and credential problems become the stream's one event, so that it reads exactly
    // like the query's answer ({"trainingJobs": null} and the error), before any upstream call.
    subscribe: (_root, args, ctx, info) => {
      try {
        const query = toTrainingJobsQuery({ ...args, workspaceId: String(args.workspaceId) }, ctx.sortFields);
        ctx.checkBudget(() => plannedFieldsOf(info, { kind: 'page', query }, ctx.sortFields));
        return ctx.liveTrainingJobs(query);
      } catch (error) {
        // Anything but a GatewayError is a bug, which masking turns into INTERNAL_SERVER_ERROR.
        return failedStream(error as GatewayError);
      }
    },
    resolve: (event: LiveEvent) => {
      if (event.kind === 'error') throw event.error;
      return event.page;
    },
  }),
);
