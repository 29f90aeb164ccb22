import { statusGroupOf, type TrainingJob as TrainingJobRecord } from '../domain.ts';
import { builder } from './builder.ts';
import { statusOf, TrainingJobStatus } from './training-job-status.ts';
import { TrainingJobStatusGroup } from './status-groups.ts';

export const TrainingJob = builder.objectRef<TrainingJobRecord>('TrainingJob').implement({
  description: 'A ModelArts training job, as its latest version describes it.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description: "The job id: on ModelArts v1 a 64-bit integer, exact, as a decimal string; on v2 the upstream's id (a UUID) as sent.",
    }),
    name: t.exposeString('name', { description: 'The job name.' }),
    description: t.exposeString('description', {
      description: 'The job description; "" when there is none.',
    }),
    status: t.field({
      type: TrainingJobStatus,
      description: 'The job status. Codes newer than this schema read UNKNOWN; see statusCode.',
      resolve: (job) => statusOf(job.statusCode),
    }),
    statusGroup: t.field({
      type: TrainingJobStatusGroup,
      description: "The status's group, as a job list shows it; codes newer than this schema read UNKNOWN.",
      resolve: (job) => statusGroupOf(job.statusCode),
    }),
    statusCode: t.exposeInt('statusCode', {
      description: 'The raw upstream status code, for codes newer than this schema.',
    }),
    versionId: t.exposeID('versionId', {
      nullable: true,
      description: 'The id of the current version: a 64-bit integer, exact, as a decimal string. Null on ModelArts v2, which has no job versions.',
    }),
    versionCount: t.exposeInt('versionCount', {
      nullable: true,
      description: 'How many versions the job has. Null on ModelArts v2, which has no job versions.',
    }),
    phase: t.exposeString('phase', {
      nullable: true,
      description: "ModelArts v2's status.phase as sent (say Running or Abnormal); null on v1. status is projected from it.",
    }),
    secondaryPhase: t.exposeString('secondaryPhase', {
      nullable: true,
      description: "ModelArts v2's status.secondary_phase as sent (internal to the upstream, may change); null on v1 or when absent.",
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the job was created (UTC).',
      resolve: (job) => job.createdAt,
    }),
    duration: t.field({
      type: 'Duration',
      description: 'How long the job has run.',
      resolve: (job) => job.durationMs,
    }),
  }),
});
