/**
 * trainingJobCounts: how many jobs each status and group holds, the numbers on a job list's
 * chips (DESIGN.md "Status groups and counts"). The upstream answers them (countStatuses); the
 * groups' counts are sums of the statuses'.
 */
import { STATUS_GROUPS, type StatusCounts, type StatusGroup } from '../domain.ts';
import { toCountsFilter } from './arguments.ts';
import { plannedFieldsOf } from './budget.ts';
import { builder } from './builder.ts';
import { TrainingJobStatusGroup } from './status-groups.ts';
import { statusOf, TrainingJobStatus } from './training-job-status.ts';

interface GroupCount {
  group: StatusGroup;
  count: number;
}

const TrainingJobGroupCount = builder.objectRef<GroupCount>('TrainingJobGroupCount').implement({
  description: 'How many jobs one status group holds.',
  fields: (t) => ({
    group: t.field({ type: TrainingJobStatusGroup, description: 'The group.', resolve: (c) => c.group }),
    count: t.exposeInt('count', { description: 'Jobs in any status of the group.' }),
  }),
});

const TrainingJobStatusCount = builder.objectRef<StatusCounts['byStatus'][number]>('TrainingJobStatusCount').implement({
  description: 'How many jobs one status holds.',
  fields: (t) => ({
    status: t.field({ type: TrainingJobStatus, description: 'The status.', resolve: (c) => statusOf(c.statusCode) }),
    statusCode: t.exposeInt('statusCode', { description: 'Its upstream code.' }),
    count: t.exposeInt('count', { description: 'Jobs in this status.' }),
  }),
});

const TrainingJobCounts = builder.objectRef<StatusCounts>('TrainingJobCounts').implement({
  description: 'How many jobs each status and each group holds, for one search and workspace.',
  fields: (t) => ({
    total: t.exposeInt('total', {
      description: 'Jobs of every status; above the sum of byStatus when some have codes newer than this schema.',
    }),
    byGroup: t.field({
      type: [TrainingJobGroupCount],
      description: "Every group, in the enum's order, zeros included: the sums of byStatus.",
      resolve: (counts) =>
        (Object.keys(STATUS_GROUPS) as StatusGroup[]).map((group) => ({
          group,
          count: counts.byStatus.reduce((sum, c) => (STATUS_GROUPS[group].includes(c.statusCode) ? sum + c.count : sum), 0),
        })),
    }),
    byStatus: t.field({
      type: [TrainingJobStatusCount],
      description: 'Every status, codes 0 to 22 in code order, zeros included.',
      resolve: (counts) => counts.byStatus,
    }),
  }),
});

builder.queryField('trainingJobCounts', (t) =>
  t.field({
    type: TrainingJobCounts,
    nullable: true,
    description:
      'How many jobs each status and each group holds, for the same search and workspace: the chips of a job list. ' +
      'It costs 24 upstream calls (one per status, one for the total), 8 at a time, cached like pages.',
    args: {
      search: t.arg.string({ description: 'Text to look for in job names, as trainingJobs takes it.' }),
      workspaceId: t.arg.id({ required: true, defaultValue: '0', description: 'The workspace whose jobs to count; "0" is the default workspace.' }),
    },
    resolve: (_root, args, ctx, info) => {
      const filter = toCountsFilter({ search: args.search, workspaceId: String(args.workspaceId) });
      ctx.checkBudget(() => plannedFieldsOf(info, { kind: 'counts' }, ctx.sortFields));
      return ctx.trainingJobs().counts(filter);
    },
  }),
);
