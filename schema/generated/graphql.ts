/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** The state of a training job. Filtering by UNKNOWN asks for code 0; jobs whose code is newer than this schema also read UNKNOWN, with the raw code in statusCode. On ModelArts v2 the status is projected from the phase (TrainingJob.phase): Creating INIT, Pending WAITING, Running RUNNING, Terminating KILLING, Completed COMPLETED, Failed and Abnormal FAILED, Terminated KILLED, any other phase UNKNOWN; a filter on a status no phase projects to is empty. */
export type TrainingJobStatus =
  /** Unknown, or a status code newer than this schema (see statusCode). */
  | 'UNKNOWN'
  /** The job is being initialized. */
  | 'INIT'
  /** The job image is being created. */
  | 'IMAGE_CREATING'
  /** The job image could not be created. */
  | 'IMAGE_FAILED'
  /** The job is being submitted. */
  | 'SUBMIT_TRYING'
  /** The job could not be submitted. */
  | 'SUBMIT_FAILED'
  /** The job could not be deleted. */
  | 'DELETE_FAILED'
  /** The job is queued, waiting for resources. */
  | 'WAITING'
  /** The job is running. */
  | 'RUNNING'
  /** The job is being canceled. */
  | 'KILLING'
  /** The job completed successfully. */
  | 'COMPLETED'
  /** The job failed. */
  | 'FAILED'
  /** The job was canceled (cancellation succeeded). */
  | 'KILLED'
  /** The job was canceled. */
  | 'CANCELED'
  /** The job was lost. */
  | 'LOST'
  /** The job is being scaled. */
  | 'SCALING'
  /** The model could not be submitted. */
  | 'SUBMIT_MODEL_FAILED'
  /** The service could not be deployed. */
  | 'DEPLOY_SERVICE_FAILED'
  /** The review is being initialized. */
  | 'CHECK_INIT'
  /** The job is under review. */
  | 'CHECK_RUNNING'
  /** The review is done. */
  | 'CHECK_RUNNING_COMPLETED'
  /** The review failed. */
  | 'CHECK_FAILED'
  /** A storage volume could not be mounted. */
  | 'MOUNT_FAILED';

/** Statuses as a job list shows them; each group stands for the codes in its description. */
export type TrainingJobStatusGroup =
  /** Not running yet: INIT 1, IMAGE_CREATING 2, SUBMIT_TRYING 4, WAITING 7. */
  | 'PENDING'
  /** Running: RUNNING 8, SCALING 15. */
  | 'RUNNING'
  /** Under review: CHECK_INIT 18, CHECK_RUNNING 19, CHECK_RUNNING_COMPLETED 20. */
  | 'REVIEW'
  /** Completed successfully: COMPLETED 10. */
  | 'SUCCEEDED'
  /** Failed: IMAGE_FAILED 3, SUBMIT_FAILED 5, DELETE_FAILED 6, FAILED 11, LOST 14, SUBMIT_MODEL_FAILED 16, DEPLOY_SERVICE_FAILED 17, CHECK_FAILED 21, MOUNT_FAILED 22. */
  | 'FAILED'
  /** Stopped or being stopped: KILLING 9, KILLED 12, CANCELED 13. */
  | 'STOPPED'
  /** Unknown, or a status code newer than this schema: UNKNOWN 0. */
  | 'UNKNOWN';

/** What to sort training jobs by. */
export type TrainingJobSortField =
  /** The job name. */
  | 'JOB_NAME'
  /** The job description. */
  | 'JOB_DESC'
  /** The status code. */
  | 'STATUS'
  /** The run time. */
  | 'DURATION'
  /** The number of versions. */
  | 'VERSION_COUNT'
  /** The creation time. */
  | 'CREATE_TIME';

/** A sort direction. */
export type SortOrder =
  /** Ascending: A to Z, oldest first, smallest first. */
  | 'ASC'
  /** Descending: Z to A, newest first, largest first. */
  | 'DESC';

export type DashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardQuery = { running: { totalCount: number, quota: { remainingJobs: number | null, maxRunningJobs: number | null } } | null, waiting: { totalCount: number } | null, failed: { totalCount: number, jobs: Array<{ id: string, name: string, createdAt: string }> } | null };

export type JobChipsQueryVariables = Exact<{
  group: TrainingJobStatusGroup;
  perPage?: number;
}>;


export type JobChipsQuery = { trainingJobCounts: { total: number, byGroup: Array<{ group: TrainingJobStatusGroup, count: number }> } | null, jobs: { totalCount: number, jobs: Array<{ id: string, name: string, status: TrainingJobStatus, statusGroup: TrainingJobStatusGroup, createdAt: string }> } | null };

export type JobsTableQueryVariables = Exact<{
  page: number;
  perPage: number;
  sortBy: TrainingJobSortField;
  order: SortOrder;
  status?: TrainingJobStatus | null | undefined;
  search?: string | null | undefined;
}>;


export type JobsTableQuery = { trainingJobs: { totalCount: number, pageInfo: { page: number, perPage: number, totalPages: number, hasNextPage: boolean, hasPreviousPage: boolean }, jobs: Array<{ id: string, name: string, description: string, status: TrainingJobStatus, statusCode: number, versionId: string | null, versionCount: number | null, createdAt: string, duration: string }> } | null };

export type LiveJobsTableSubscriptionVariables = Exact<{
  page: number;
  perPage: number;
  sortBy: TrainingJobSortField;
  order: SortOrder;
  status?: TrainingJobStatus | null | undefined;
  search?: string | null | undefined;
}>;


export type LiveJobsTableSubscription = { trainingJobs: { totalCount: number, pageInfo: { page: number, perPage: number, totalPages: number, hasNextPage: boolean, hasPreviousPage: boolean }, jobs: Array<{ id: string, name: string, description: string, status: TrainingJobStatus, statusCode: number, versionId: string | null, versionCount: number | null, createdAt: string, duration: string }> } | null };

export type RunningJobsQueryVariables = Exact<{
  page?: number;
}>;


export type RunningJobsQuery = { trainingJobs: { totalCount: number, pageInfo: { page: number, perPage: number, totalPages: number, hasNextPage: boolean, hasPreviousPage: boolean }, quota: { remainingJobs: number | null, maxRunningJobs: number | null }, jobs: Array<{ id: string, name: string, status: TrainingJobStatus, statusCode: number, createdAt: string, duration: string, versionCount: number | null }> } | null };


export const DashboardDocument = {"__meta__":{"hash":"sha256:3eed23a42ff835e285c193f6901e896a1de7564ebf365d68f402eef7e49215f4"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Dashboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"running"},"name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"RUNNING"}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"remainingJobs"}},{"kind":"Field","name":{"kind":"Name","value":"maxRunningJobs"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"waiting"},"name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"WAITING"}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"failed"},"name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"FAILED"}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"IntValue","value":"5"}},{"kind":"Argument","name":{"kind":"Name","value":"sortBy"},"value":{"kind":"EnumValue","value":"CREATE_TIME"}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"DESC"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardQuery, DashboardQueryVariables>;
export const JobChipsDocument = {"__meta__":{"hash":"sha256:d0e68a8c481139d0bc374c6676ffe673bc500ff58f1aecde13646bdde6f3848d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"JobChips"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"group"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TrainingJobStatusGroup"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},"defaultValue":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trainingJobCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"byGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"group"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"jobs"},"name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"statusGroup"},"value":{"kind":"Variable","name":{"kind":"Name","value":"group"}}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}}},{"kind":"Argument","name":{"kind":"Name","value":"sortBy"},"value":{"kind":"EnumValue","value":"CREATE_TIME"}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"DESC"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusGroup"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]} as unknown as DocumentNode<JobChipsQuery, JobChipsQueryVariables>;
export const JobsTableDocument = {"__meta__":{"hash":"sha256:d755c7fdc2005a33bf35aad95923ce64e2932fd8b92988a3a97a38f41e900a35"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"JobsTable"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sortBy"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TrainingJobSortField"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"order"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SortOrder"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TrainingJobStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}}},{"kind":"Argument","name":{"kind":"Name","value":"sortBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sortBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"Variable","name":{"kind":"Name","value":"order"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"perPage"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"versionId"}},{"kind":"Field","name":{"kind":"Name","value":"versionCount"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}}]}}]}}]} as unknown as DocumentNode<JobsTableQuery, JobsTableQueryVariables>;
export const LiveJobsTableDocument = {"__meta__":{"hash":"sha256:be5dc12f2c147541dee8aa6363b23a7e4dbda5130966c6e514f65055287d4342"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveJobsTable"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sortBy"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TrainingJobSortField"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"order"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SortOrder"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TrainingJobStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"Variable","name":{"kind":"Name","value":"perPage"}}},{"kind":"Argument","name":{"kind":"Name","value":"sortBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sortBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"Variable","name":{"kind":"Name","value":"order"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"perPage"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"versionId"}},{"kind":"Field","name":{"kind":"Name","value":"versionCount"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}}]}}]}}]} as unknown as DocumentNode<LiveJobsTableSubscription, LiveJobsTableSubscriptionVariables>;
export const RunningJobsDocument = {"__meta__":{"hash":"sha256:1e344525f30beba984c7a9a6d76125681026cbfd87bb4927e38a491581738614"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RunningJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"page"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},"defaultValue":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trainingJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"RUNNING"}},{"kind":"Argument","name":{"kind":"Name","value":"page"},"value":{"kind":"Variable","name":{"kind":"Name","value":"page"}}},{"kind":"Argument","name":{"kind":"Name","value":"perPage"},"value":{"kind":"IntValue","value":"5"}},{"kind":"Argument","name":{"kind":"Name","value":"sortBy"},"value":{"kind":"EnumValue","value":"CREATE_TIME"}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"DESC"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"page"}},{"kind":"Field","name":{"kind":"Name","value":"perPage"}},{"kind":"Field","name":{"kind":"Name","value":"totalPages"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"remainingJobs"}},{"kind":"Field","name":{"kind":"Name","value":"maxRunningJobs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"versionCount"}}]}}]}}]}}]} as unknown as DocumentNode<RunningJobsQuery, RunningJobsQueryVariables>;