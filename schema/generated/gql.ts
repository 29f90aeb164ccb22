/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Dashboard {\n  running: trainingJobs(status: RUNNING, perPage: 1) {\n    totalCount\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n  }\n  waiting: trainingJobs(status: WAITING, perPage: 1) {\n    totalCount\n  }\n  failed: trainingJobs(\n    status: FAILED\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    jobs {\n      id\n      name\n      createdAt\n    }\n  }\n}\n\nquery JobsTable($page: Int!, $perPage: Int!, $sortBy: TrainingJobSortField!, $order: SortOrder!, $status: TrainingJobStatus, $search: String) {\n  trainingJobs(\n    page: $page\n    perPage: $perPage\n    sortBy: $sortBy\n    order: $order\n    status: $status\n    search: $search\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    jobs {\n      id\n      name\n      description\n      status\n      statusCode\n      versionId\n      versionCount\n      createdAt\n      duration\n    }\n  }\n}\n\nquery RunningJobs($page: Int! = 1) {\n  trainingJobs(\n    status: RUNNING\n    page: $page\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n    jobs {\n      id\n      name\n      status\n      statusCode\n      createdAt\n      duration\n      versionCount\n    }\n  }\n}": typeof types.DashboardDocument,
};
const documents: Documents = {
    "query Dashboard {\n  running: trainingJobs(status: RUNNING, perPage: 1) {\n    totalCount\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n  }\n  waiting: trainingJobs(status: WAITING, perPage: 1) {\n    totalCount\n  }\n  failed: trainingJobs(\n    status: FAILED\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    jobs {\n      id\n      name\n      createdAt\n    }\n  }\n}\n\nquery JobsTable($page: Int!, $perPage: Int!, $sortBy: TrainingJobSortField!, $order: SortOrder!, $status: TrainingJobStatus, $search: String) {\n  trainingJobs(\n    page: $page\n    perPage: $perPage\n    sortBy: $sortBy\n    order: $order\n    status: $status\n    search: $search\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    jobs {\n      id\n      name\n      description\n      status\n      statusCode\n      versionId\n      versionCount\n      createdAt\n      duration\n    }\n  }\n}\n\nquery RunningJobs($page: Int! = 1) {\n  trainingJobs(\n    status: RUNNING\n    page: $page\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n    jobs {\n      id\n      name\n      status\n      statusCode\n      createdAt\n      duration\n      versionCount\n    }\n  }\n}": types.DashboardDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard {\n  running: trainingJobs(status: RUNNING, perPage: 1) {\n    totalCount\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n  }\n  waiting: trainingJobs(status: WAITING, perPage: 1) {\n    totalCount\n  }\n  failed: trainingJobs(\n    status: FAILED\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    jobs {\n      id\n      name\n      createdAt\n    }\n  }\n}\n\nquery JobsTable($page: Int!, $perPage: Int!, $sortBy: TrainingJobSortField!, $order: SortOrder!, $status: TrainingJobStatus, $search: String) {\n  trainingJobs(\n    page: $page\n    perPage: $perPage\n    sortBy: $sortBy\n    order: $order\n    status: $status\n    search: $search\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    jobs {\n      id\n      name\n      description\n      status\n      statusCode\n      versionId\n      versionCount\n      createdAt\n      duration\n    }\n  }\n}\n\nquery RunningJobs($page: Int! = 1) {\n  trainingJobs(\n    status: RUNNING\n    page: $page\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n    jobs {\n      id\n      name\n      status\n      statusCode\n      createdAt\n      duration\n      versionCount\n    }\n  }\n}"): (typeof documents)["query Dashboard {\n  running: trainingJobs(status: RUNNING, perPage: 1) {\n    totalCount\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n  }\n  waiting: trainingJobs(status: WAITING, perPage: 1) {\n    totalCount\n  }\n  failed: trainingJobs(\n    status: FAILED\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    jobs {\n      id\n      name\n      createdAt\n    }\n  }\n}\n\nquery JobsTable($page: Int!, $perPage: Int!, $sortBy: TrainingJobSortField!, $order: SortOrder!, $status: TrainingJobStatus, $search: String) {\n  trainingJobs(\n    page: $page\n    perPage: $perPage\n    sortBy: $sortBy\n    order: $order\n    status: $status\n    search: $search\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    jobs {\n      id\n      name\n      description\n      status\n      statusCode\n      versionId\n      versionCount\n      createdAt\n      duration\n    }\n  }\n}\n\nquery RunningJobs($page: Int! = 1) {\n  trainingJobs(\n    status: RUNNING\n    page: $page\n    perPage: 5\n    sortBy: CREATE_TIME\n    order: DESC\n  ) {\n    totalCount\n    pageInfo {\n      page\n      perPage\n      totalPages\n      hasNextPage\n      hasPreviousPage\n    }\n    quota {\n      remainingJobs\n      maxRunningJobs\n    }\n    jobs {\n      id\n      name\n      status\n      statusCode\n      createdAt\n      duration\n      versionCount\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;