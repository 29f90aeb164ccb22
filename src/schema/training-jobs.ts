import { builder } from './builder.ts';
import { LIMITS, toTrainingJobsQuery } from './arguments.ts';
import { TrainingJobPage } from './training-job-page.ts';
import { TrainingJobStatus } from './training-job-status.ts';

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

builder.queryField('trainingJobs', (t) =>
  t.field({
    type: TrainingJobPage,
    nullable: true,
    description: 'Training jobs of the configured ModelArts project, one page at a time.',
    args: {
      status: t.arg({
        type: TrainingJobStatus,
        description: 'Only jobs in this status; omitted means every status.',
      }),
      page: t.arg.int({
        required: true,
        defaultValue: 1,
        description: `The page to return, from ${LIMITS.page[0]} to ${LIMITS.page[1]}.`,
      }),
      perPage: t.arg.int({
        required: true,
        defaultValue: 10,
        description: `Jobs per page, from ${LIMITS.perPage[0]} to ${LIMITS.perPage[1]}.`,
      }),
      sortBy: t.arg({
        type: TrainingJobSortField,
        required: true,
        defaultValue: 'JOB_NAME',
        description: 'What to sort by.',
      }),
      order: t.arg({
        type: SortOrder,
        required: true,
        defaultValue: 'ASC',
        description: 'The sort direction.',
      }),
      search: t.arg.string({
        description: `Text to look for in job names, 0 to ${LIMITS.searchLength} characters; empty means no filter.`,
      }),
      workspaceId: t.arg.id({
        required: true,
        defaultValue: '0',
        description: 'The workspace whose jobs to list; "0" is the default workspace.',
      }),
    },
    resolve: (_root, args, ctx) => {
      const query = toTrainingJobsQuery({ ...args, workspaceId: String(args.workspaceId) });
      return ctx.trainingJobs().load(query);
    },
  }),
);
