/**
 * Operation limits: every sensible frontend query passes, abusive ones are refused quickly with
 * a clear error, and a normal query running alongside still succeeds.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHIPS_EXAMPLE, EXAMPLE_QUERY } from '../../src/server/graphiql.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const JOB = 'id name description status statusCode versionId versionCount createdAt duration';
const DASHBOARD = `{
  ${['RUNNING', 'WAITING', 'FAILED', 'COMPLETED', 'KILLED', 'CANCELED'].map(
    (s) => `${s.toLowerCase()}: trainingJobs(status: ${s}, perPage: 5, sortBy: CREATE_TIME, order: DESC) {
      totalCount pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs } jobs { ${JOB} } }`,
  ).join('\n')}
}`;

describe('what passes', () => {
  it.each([
    ['the GraphiQL example query', EXAMPLE_QUERY],
    ["the GraphiQL chips example (counts and a status group's page)", CHIPS_EXAMPLE],
    ['a dashboard of six aliased lists with every field', DASHBOARD],
    ["GraphiQL's introspection query", getIntrospectionQuery({ descriptions: true, specifiedByUrl: true })],
  ])('lets %s through', async (_name, query) => {
    const res = await stack.gql(query);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toBeTruthy();
  });
});

describe('what is refused', () => {
  const aliasBomb = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: trainingJobs(page: ${i + 1}) { totalCount }`).join(' ')} }`;
  const directiveBomb = `{ ${Array.from({ length: 30 }, () => '... on Query @skip(if: false) { __typename }').join(' ')} }`;
  // No aliases beyond the 15 allowed: the cost comes from fields repeated in inline fragments.
  const costly = `{ ${Array.from({ length: 15 }, (_, i) => `l${i}: trainingJobs(page: ${i + 1}) { jobs { ${Array.from({ length: 11 }, () => `... on TrainingJob { ${JOB} }`).join(' ')} } }`).join(' ')} }`;
  const deep = '{ trainingJobs { pageInfo { page } } }';

  it.each([
    ['an alias bomb', aliasBomb, /aliases/i],
    ['a directive bomb', directiveBomb, /directives/i],
    ['a costly document', costly, /cost/i],
  ])('refuses %s before any upstream call', async (_name, query, message) => {
    stack.emulator.clearRequests();
    const start = Date.now();
    const [abuse, normal] = await Promise.all([stack.gql(query), stack.gql('{ trainingJobs { totalCount } }')]);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(abuse.body.data).toBeUndefined();
    expect(abuse.body.errors?.[0]?.message).toMatch(message);
    expect(abuse.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(normal.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1); // the normal query's only
  });

  it('refuses a query deeper than MAX_DEPTH, with the limit in the message', async () => {
    const strict = await startStack({ limits: { maxDepth: 2, maxAliases: 15, maxDirectives: 20, maxCost: 5000 } });
    try {
      const res = await strict.gql(deep);
      expect(res.body.errors?.[0]?.message).toMatch(/depth limit of 2/i);
      expect((await strict.gql('{ trainingJobs { totalCount } }')).body.errors).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('refuses a document over MAX_TOKENS as a syntax error', async () => {
    const strict = await startStack({ maxTokens: 50 });
    try {
      const res = await strict.gql(EXAMPLE_QUERY);
      expect(res.body.errors?.[0]?.message).toMatch(/more that 50 tokens/ /* sic: graphql-js */);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    } finally {
      await strict.close();
    }
  });

  it('refuses a 1 MB document with 413 before reading it', async () => {
    const res = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename ${' '.repeat(1024 * 1024)}}` }),
    });
    expect(res.status).toBe(413);
  });
});
