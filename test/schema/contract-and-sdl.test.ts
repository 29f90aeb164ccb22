/** The schema is DESIGN.md's contract, and the committed SDL is what the code builds. */
import { readFileSync } from 'node:fs';
import {
  GraphQLEnumType,
  GraphQLObjectType,
  GraphQLScalarType,
  printSchema,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

it('matches the committed schema/schema.graphql (run npm run codegen after a change)', () => {
  const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
  expect(committed.trimEnd()).toBe(printSchema(schema).trimEnd());
});

const fields = (name: string) => {
  const type = schema.getType(name) as GraphQLObjectType;
  return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, String(f.type)]));
};

describe('the DESIGN.md contract', () => {
  it('has trainingJobs with its arguments, types and defaults', () => {
    const field = schema.getQueryType()!.getFields().trainingJobs!;
    expect(String(field.type)).toBe('TrainingJobPage');
    expect(field.args.map((a) => [a.name, String(a.type), a.defaultValue])).toEqual([
      ['status', 'TrainingJobStatus', undefined],
      ['statusGroup', 'TrainingJobStatusGroup', undefined],
      ['page', 'Int!', 1],
      ['perPage', 'Int!', 10],
      ['sortBy', 'TrainingJobSortField', undefined],
      ['order', 'SortOrder', undefined],
      ['search', 'String', undefined],
      ['workspaceId', 'ID!', '0'],
    ]);
  });

  it.each([
    ['TrainingJobPage', { jobs: '[TrainingJob!]!', totalCount: 'Int!', pageInfo: 'PageInfo!', quota: 'TrainingJobQuota!' }],
    ['PageInfo', { page: 'Int!', perPage: 'Int!', totalPages: 'Int!', hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!' }],
    ['TrainingJobQuota', { remainingJobs: 'Int', maxRunningJobs: 'Int' }],
    [
      'TrainingJob',
      {
        id: 'ID!', name: 'String!', description: 'String!', status: 'TrainingJobStatus!',
        statusGroup: 'TrainingJobStatusGroup!', statusCode: 'Int!',
        versionId: 'ID', versionCount: 'Int', phase: 'String', secondaryPhase: 'String', createdAt: 'DateTime!', duration: 'Duration!',
      },
    ],
    ['TrainingJobCounts', { total: 'Int!', byGroup: '[TrainingJobGroupCount!]!', byStatus: '[TrainingJobStatusCount!]!' }],
    ['TrainingJobGroupCount', { group: 'TrainingJobStatusGroup!', count: 'Int!' }],
    ['TrainingJobStatusCount', { status: 'TrainingJobStatus!', statusCode: 'Int!', count: 'Int!' }],
  ])('has type %s with exactly its fields', (name, expected) => {
    expect(fields(name)).toEqual(expected);
  });

  it.each([
    ['SortOrder', ['ASC', 'DESC']],
    ['TrainingJobSortField', ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME']],
    [
      'TrainingJobStatus',
      [
        'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED', 'DELETE_FAILED',
        'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED', 'LOST', 'SCALING',
        'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING',
        'CHECK_RUNNING_COMPLETED', 'CHECK_FAILED', 'MOUNT_FAILED',
      ],
    ],
    ['TrainingJobStatusGroup', ['PENDING', 'RUNNING', 'REVIEW', 'SUCCEEDED', 'FAILED', 'STOPPED', 'UNKNOWN']],
  ])('has enum %s with exactly its values', (name, values) => {
    expect((schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(values);
  });

  it('has trainingJobCounts with its arguments, and the same statusGroup on the subscription', () => {
    const counts = schema.getQueryType()!.getFields().trainingJobCounts!;
    expect(String(counts.type)).toBe('TrainingJobCounts');
    expect(counts.args.map((a) => [a.name, String(a.type), a.defaultValue])).toEqual([
      ['search', 'String', undefined],
      ['workspaceId', 'ID!', '0'],
    ]);
    const live = schema.getSubscriptionType()!.getFields().trainingJobs!;
    const query = schema.getQueryType()!.getFields().trainingJobs!;
    expect(live.args.map((a) => [a.name, String(a.type), a.defaultValue])).toEqual(query.args.map((a) => [a.name, String(a.type), a.defaultValue]));
  });

  it.each([
    ['PENDING', 'INIT 1, IMAGE_CREATING 2, SUBMIT_TRYING 4, WAITING 7'],
    ['RUNNING', 'RUNNING 8, SCALING 15'],
    ['REVIEW', 'CHECK_INIT 18, CHECK_RUNNING 19, CHECK_RUNNING_COMPLETED 20'],
    ['SUCCEEDED', 'COMPLETED 10'],
    ['FAILED', 'IMAGE_FAILED 3, SUBMIT_FAILED 5, DELETE_FAILED 6, FAILED 11, LOST 14, SUBMIT_MODEL_FAILED 16, DEPLOY_SERVICE_FAILED 17, CHECK_FAILED 21, MOUNT_FAILED 22'],
    ['STOPPED', 'KILLING 9, KILLED 12, CANCELED 13'],
    ['UNKNOWN', 'UNKNOWN 0'],
  ])('describes the status group %s with its codes: %s', (group, codes) => {
    const value = (schema.getType('TrainingJobStatusGroup') as GraphQLEnumType).getValue(group)!;
    expect(value.description).toContain(`${codes}.`);
  });

  it.each([
    ['DateTime', 'https://scalars.graphql.org/andimarek/date-time'],
    ['Duration', 'https://en.wikipedia.org/wiki/ISO_8601#Durations'],
  ])('has scalar %s specified by %s', (name, url) => {
    expect((schema.getType(name) as GraphQLScalarType).specifiedByURL).toBe(url);
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    const own = Object.values(schema.getTypeMap()).filter((t: GraphQLNamedType) => !t.name.startsWith('__') && !['String', 'Int', 'Boolean', 'ID', 'Float'].includes(t.name));
    for (const type of own) {
      if (!type.description) missing.push(type.name);
      if (type instanceof GraphQLObjectType) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (type instanceof GraphQLEnumType) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
