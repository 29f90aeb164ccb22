/**
 * Queries of the schema the gateway serves, valid or nearly so: the base that the valid, mutated and
 * odd-header families send, so that most requests reach the resolvers rather than stop at the parser.
 */
import { HEADER_ALPHABET, Rng, UNICODE_SAMPLES } from './rng.ts';

const IDENT_START = '_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const IDENT_REST = `${IDENT_START}0123456789`;
const LONE_SURROGATES = ['\ud800', '\udfff', 'x\ud83d', '\ude00y', 'ok\udbff\udbffok'];

export const JOB_FIELDS = ['id', 'name', 'description', 'status', 'statusGroup', 'statusCode', 'versionId', 'versionCount', 'createdAt', 'duration'];
const PAGE_INFO_FIELDS = ['page', 'perPage', 'totalPages', 'hasNextPage', 'hasPreviousPage'];
const QUOTA_FIELDS = ['remainingJobs', 'maxRunningJobs'];
const STATUSES = [
  'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED', 'DELETE_FAILED',
  'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED', 'LOST', 'SCALING',
  'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING', 'CHECK_RUNNING_COMPLETED',
  'CHECK_FAILED', 'MOUNT_FAILED',
];
const GROUPS = ['PENDING', 'RUNNING', 'REVIEW', 'SUCCEEDED', 'FAILED', 'STOPPED', 'UNKNOWN'];
const SORT_FIELDS = ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME'];
const ORDERS = ['ASC', 'DESC'];

const ARGS = ['status', 'statusGroup', 'page', 'perPage', 'sortBy', 'order', 'search', 'workspaceId'] as const;
type ArgName = (typeof ARGS)[number];
const VAR_TYPES: Record<ArgName, string> = {
  status: 'TrainingJobStatus',
  statusGroup: 'TrainingJobStatusGroup',
  page: 'Int!',
  perPage: 'Int!',
  sortBy: 'TrainingJobSortField!',
  order: 'SortOrder!',
  search: 'String',
  workspaceId: 'ID!',
};
const WRONG_VAR_TYPES = ['Int', 'String!', 'Float', 'Boolean!', 'ID', '[Int]', '[String!]!', 'SortOrder', 'DateTime', 'Duration', 'Nope', 'TrainingJob'];

const BAD_INT_LITERALS = [
  '0', '-1', '65536', '1001', '2147483647', '2147483648', '-2147483648', '-2147483649',
  '99999999999999999999999999999', '1.5', '1e3', '-0.0', '"1"', 'true', 'null', 'RUNNING', '[1]', '{a: 1}',
  '1_000', '0x10', '01', '$undeclared', '""', '1e400',
];
const BAD_INT_JSON: unknown[] = [
  0, -1, 65536, 1001, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, 1.5, 0.1, '1', '', true, null, [], [1], {}, { value: 1 }, 'RUNNING',
];
const BAD_ENUM_LITERALS = ['running', '"RUNNING"', '8', 'NOPE', 'null', '[ASC]', 'true', 'ASC_', '__typename', '{}', '-1', '1.0'];
const BAD_ENUM_JSON: unknown[] = ['running', 8, '', null, true, ['ASC'], {}, 'NOPE', 'RUNNING ', '8', 1e308];

export const gqlString = (s: string): string => JSON.stringify(s);

export function alias(r: Rng): string {
  const name = r.chars(IDENT_START, 1) + r.chars(IDENT_REST, r.int(0, 20));
  return r.bool(0.05) ? `__${name}` : name;
}

function validValue(r: Rng, arg: ArgName): unknown {
  switch (arg) {
    case 'status':
      return r.pick(STATUSES);
    case 'statusGroup':
      return r.pick(GROUPS);
    case 'page':
      return r.pick([1, 2, r.int(1, 20), 65535, r.int(1, 65535)]);
    case 'perPage':
      return r.pick([1, 10, r.int(1, 50), 1000, r.int(1, 1000)]);
    case 'sortBy':
      return r.pick(SORT_FIELDS);
    case 'order':
      return r.pick(ORDERS);
    case 'search':
      return r.pick([...UNICODE_SAMPLES.filter((s) => [...s].length <= 64), r.chars(HEADER_ALPHABET, r.int(0, 10)), 'resnet', 'bert']);
    case 'workspaceId':
      return r.pick(['0', String(r.int(0, 99)), 'ws-abc', '日本']);
  }
}

function validLiteral(r: Rng, arg: ArgName, value: unknown): string {
  if (arg === 'status' || arg === 'statusGroup' || arg === 'sortBy' || arg === 'order') return String(value);
  if (arg === 'workspaceId' && /^\d+$/.test(String(value)) && r.bool(0.3)) return String(value);
  if (typeof value === 'string') {
    return r.bool(0.1) && !value.includes('"""') && !/[\\\u0000]/.test(value) ? `"""${value}"""` : gqlString(value);
  }
  return String(value);
}

function badLiteral(r: Rng, arg: ArgName): string {
  switch (arg) {
    case 'page':
    case 'perPage':
      return r.pick(BAD_INT_LITERALS);
    case 'status':
    case 'statusGroup':
    case 'sortBy':
    case 'order':
      return r.pick(BAD_ENUM_LITERALS);
    case 'search':
    case 'workspaceId':
      return r.pick([
        gqlString('x'.repeat(r.pick([65, 1000, 100_000]))),
        gqlString(r.pick(LONE_SURROGATES)),
        '"unterminated',
        '"bad \\q escape"',
        '"\\u{1F600}"',
        '"\\uD800"',
        '""',
        '5',
        '1.5',
        'true',
        'null',
        '[ "a" ]',
        '{ a: "b" }',
        'RUNNING',
        '"""block\n"""',
      ]);
  }
}

function badJson(r: Rng, arg: ArgName): unknown {
  switch (arg) {
    case 'page':
    case 'perPage':
      return r.pick(BAD_INT_JSON);
    case 'status':
    case 'statusGroup':
    case 'sortBy':
    case 'order':
      return r.pick(BAD_ENUM_JSON);
    case 'search':
    case 'workspaceId':
      return r.pick<unknown>([
        'x'.repeat(r.pick([65, 1000, 100_000])),
        r.pick(LONE_SURROGATES),
        '',
        5,
        1.5,
        true,
        null,
        ['a'],
        { a: 'b' },
        r.pick(UNICODE_SAMPLES),
      ]);
  }
}

function selection(r: Rng): string {
  const parts: string[] = [];
  const maybeAlias = (field: string) => (r.bool(0.25) ? `${alias(r)}: ${field}` : field);
  const sub = (fields: string[]) => r.subset(fields).map(maybeAlias).join(' ');
  if (r.bool(0.6)) parts.push(maybeAlias('totalCount'));
  if (r.bool(0.5)) parts.push(`${maybeAlias('pageInfo')} { ${sub(PAGE_INFO_FIELDS)} }`);
  if (r.bool(0.4)) parts.push(`${maybeAlias('quota')} { ${sub(QUOTA_FIELDS)} }`);
  if (r.bool(0.6)) parts.push(`${maybeAlias('jobs')} { ${sub(JOB_FIELDS)} }`);
  if (r.bool(0.2)) parts.push('__typename');
  if (r.bool(0.05)) parts.push(r.pick(['nope', 'totalCount { x }', 'jobs', 'pageInfo', 'jobs { nope }', 'jobs { id(x: 1) }']));
  if (parts.length === 0) parts.push('totalCount');
  return parts.join(' ');
}

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export function validOperation(r: Rng): Operation {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const fields: string[] = [];
  const topLevel = r.int(1, 3);
  for (let f = 0; f < topLevel; f++) {
    const kind = r.next();
    if (kind < 0.8) {
      const args: string[] = [];
      for (const arg of ARGS) {
        if (!r.bool(0.5)) continue;
        const how = r.next();
        if (how < 0.5) args.push(`${arg}: ${validLiteral(r, arg, validValue(r, arg))}`);
        else if (how < 0.7) args.push(`${arg}: ${badLiteral(r, arg)}`);
        else {
          const name = `${arg}${f}${r.bool(0.1) ? 'x' : ''}`;
          args.push(`${arg}: $${name}`);
          const declared = r.next();
          if (declared < 0.75) declarations.push(`$${name}: ${VAR_TYPES[arg]}`);
          else if (declared < 0.9) declarations.push(`$${name}: ${r.pick(WRONG_VAR_TYPES)}`);
          const valued = r.next();
          if (valued < 0.5) variables[name] = validValue(r, arg);
          else if (valued < 0.9) variables[name] = badJson(r, arg);
        }
      }
      if (r.bool(0.05)) args.push(r.pick(['foo: 1', 'page: 1', 'status: null', '__typename: 1']));
      const call = args.length > 0 ? `trainingJobs(${args.join(', ')})` : 'trainingJobs';
      fields.push(`${r.bool(0.4) ? `${alias(r)}: ` : ''}${call} { ${selection(r)} }`);
    } else if (kind < 0.85) {
      const search = r.bool(0.5) ? `(search: ${validLiteral(r, 'search', validValue(r, 'search'))})` : '';
      fields.push(`${r.bool(0.5) ? `${alias(r)}: ` : ''}trainingJobCounts${search} { total byGroup { group count } byStatus { status count } }`);
    } else if (kind < 0.9) {
      fields.push(`${r.bool(0.5) ? `${alias(r)}: ` : ''}__typename`);
    } else {
      fields.push(
        r.pick([
          '__schema { queryType { name } }',
          `__type(name: ${gqlString(r.pick(['TrainingJob', 'Query', 'Nope', '', 'DateTime']))}) { name kind fields { name } }`,
          '__type(name: 5) { name }',
        ]),
      );
    }
  }
  if (r.bool(0.1)) {
    variables[r.pick(['unused', 'extra', '__proto__', 'constructor'])] = r.pick<unknown>([1, 'x', null, { a: 1 }]);
  }
  const name = `Op${r.int(0, 999)}`;
  const shape = r.next();
  const body = `{ ${fields.join(' ')} }`;
  const query =
    shape < 0.35 && declarations.length === 0
      ? body
      : shape < 0.8
        ? `query ${name}${declarations.length > 0 ? `(${declarations.join(', ')})` : ''} ${body}`
        : `query${declarations.length > 0 ? ` (${declarations.join(' ')})` : ''} ${body}`;
  const operation: Operation = { query };
  if (Object.keys(variables).length > 0 || r.bool(0.1)) operation.variables = variables;
  if (query.startsWith(`query ${name}`) && r.bool(0.3)) operation.operationName = name;
  return operation;
}
