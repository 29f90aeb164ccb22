import type { TrainingJobPage as PageRecord } from '../domain.ts';
import { builder } from './builder.ts';
import { TrainingJob } from './training-job.ts';

const PageInfo = builder.objectRef<PageRecord>('PageInfo').implement({
  description: 'Where this page sits in the whole result.',
  fields: (t) => ({
    page: t.exposeInt('page', { description: 'This page, from 1.' }),
    perPage: t.exposeInt('perPage', { description: 'The page size asked for.' }),
    totalPages: t.int({
      description: 'How many pages the result has at this page size; 0 when there are no jobs.',
      resolve: totalPages,
    }),
    hasNextPage: t.boolean({
      description: 'Whether a page follows this one.',
      resolve: (p) => p.page < totalPages(p),
    }),
    hasPreviousPage: t.boolean({
      description: 'Whether a page precedes this one (also true past the end).',
      resolve: (p) => p.page > 1,
    }),
  }),
});

function totalPages(p: PageRecord): number {
  return Math.ceil(p.totalCount / p.perPage);
}

const TrainingJobQuota = builder.objectRef<PageRecord>('TrainingJobQuota').implement({
  description: "The caller's training-job quota, as the upstream reports it with every page.",
  fields: (t) => ({
    remainingJobs: t.int({
      nullable: true,
      description: 'How many more training jobs may be created; null when the upstream does not say.',
      resolve: (p) => p.remainingJobs,
    }),
    maxRunningJobs: t.int({
      nullable: true,
      description: 'How many training jobs may run at once; null when the upstream does not say.',
      resolve: (p) => p.maxRunningJobs,
    }),
  }),
});

export const TrainingJobPage = builder.objectRef<PageRecord>('TrainingJobPage').implement({
  description: 'One page of training jobs, with paging and quota information.',
  fields: (t) => ({
    jobs: t.field({
      type: [TrainingJob],
      description: 'The jobs of this page, in the order asked for; empty past the last page.',
      resolve: (p) => p.jobs,
    }),
    totalCount: t.exposeInt('totalCount', { description: 'How many jobs match, over all pages.' }),
    pageInfo: t.field({ type: PageInfo, description: 'Paging information.', resolve: (p) => p }),
    quota: t.field({ type: TrainingJobQuota, description: 'Quota information.', resolve: (p) => p }),
  }),
});
