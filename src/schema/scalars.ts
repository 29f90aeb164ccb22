import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.ts';
import { formatDateTime, parseDateTime } from '../scalars/date-time.ts';
import { formatDuration, parseDuration } from '../scalars/duration.ts';

function stringLiteral(ast: ValueNode, scalar: string): string {
  if (ast.kind !== Kind.STRING) throw new GraphQLError(`${scalar} must be given as a string.`, { nodes: ast });
  return ast.value;
}

/** Wraps a pure parser so that garbage becomes a GraphQL error naming the scalar. */
function guard<T>(scalar: string, fn: (value: unknown) => T | undefined): (value: unknown) => T {
  return (value) => {
    const result = fn(value);
    if (result === undefined) throw new GraphQLError(`${scalar} cannot represent ${describe(value)}.`);
    return result;
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? (value === null ? 'null' : 'an object') : String(value);
}

builder.scalarType('DateTime', {
  description:
    'A point in time as an RFC 3339 string in UTC with milliseconds, e.g. "2018-04-20T02:06:30.635Z". ' +
    'Inputs may carry any offset and are normalized to UTC.',
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  serialize: guard('DateTime', formatDateTime),
  parseValue: guard('DateTime', (v) => (typeof v === 'string' ? parseDateTime(v) : undefined)),
  parseLiteral: (ast) => guard('DateTime', parseDateTime)(stringLiteral(ast, 'DateTime')),
});

builder.scalarType('Duration', {
  description:
    'A length of time as an ISO 8601 duration with days, hours, minutes and seconds to the ' +
    'millisecond, e.g. "PT8M52.003S" or "P2DT3H"; "PT0S" is zero. Weeks ("P2W") are accepted ' +
    'as input; years and months are not, as their length varies.',
  specifiedByURL: 'https://en.wikipedia.org/wiki/ISO_8601#Durations',
  serialize: guard('Duration', formatDuration),
  parseValue: guard('Duration', (v) => (typeof v === 'string' ? parseDuration(v) : undefined)),
  parseLiteral: (ast) => guard('Duration', parseDuration)(stringLiteral(ast, 'Duration')),
});
