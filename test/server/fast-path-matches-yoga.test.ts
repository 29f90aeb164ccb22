/**
 * The fast path answers exactly as yoga does: the same requests go to a gateway with it and
 * one without, and status, media type and body must match for every combination. The fast
 * path is checked twice: running queries compiled by graphql-jit, and on graphql-js, as it
 * does in the second after start-up before graphql-jit is loaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let fast: Stack;
let fastOnGraphqlJs: Stack;
let yogaOnly: Stack;
beforeAll(async () => {
  [fast, fastOnGraphqlJs, yogaOnly] = await Promise.all([startStack(), startStack({ jit: false }), startStack({ fastPath: false })]);
});
afterAll(() => Promise.all([fast.close(), fastOnGraphqlJs.close(), yogaOnly.close()]));

const PAGE = 'query Jobs($perPage: Int!) { trainingJobs(perPage: $perPage) { totalCount jobs { id name status createdAt duration } } }';
const BODIES: Record<string, string> = {
  'a query with variables': JSON.stringify({ query: PAGE, variables: { perPage: 3 } }),
  'a named operation among two': JSON.stringify({ query: `${PAGE} query Other { __typename }`, operationName: 'Other' }),
  'two operations and no name': JSON.stringify({ query: `${PAGE} query Other { __typename }` }),
  'an empty operation name after a cached anonymous call': JSON.stringify({ query: '{ __typename }', operationName: '' }),
  'an empty operation name': JSON.stringify({ query: 'query A { __typename }', operationName: '' }),
  'a body with a byte order mark': `\ufeff${JSON.stringify({ query: '{ __typename }' })}`,
  'duplicate keys': '{"query": "{ __typename }", "query": 5}',
  'a lone surrogate': '{"query": "\\ud800"}',
  'an unknown operation name': JSON.stringify({ query: PAGE, operationName: 'Nope', variables: { perPage: 1 } }),
  'a field error': JSON.stringify({ query: '{ trainingJobs(perPage: 0) { totalCount } }' }),
  'a field error beside data': JSON.stringify({ query: '{ a: trainingJobs(perPage: 0) { totalCount } b: trainingJobs { totalCount } }' }),
  'a variable of the wrong type': JSON.stringify({ query: PAGE, variables: { perPage: 'ten' } }),
  'a missing variable': JSON.stringify({ query: PAGE }),
  'variables that are null': JSON.stringify({ query: '{ __typename }', variables: null, operationName: null }),
  'variables as a string': JSON.stringify({ query: PAGE, variables: '{"perPage":1}' }),
  'variables as an array': JSON.stringify({ query: PAGE, variables: [1] }),
  'a syntax error': JSON.stringify({ query: '{ trainingJobs { ' }),
  'a validation error': JSON.stringify({ query: '{ nope }' }),
  'a mutation': JSON.stringify({ query: 'mutation { __typename }' }),
  'a subscription': JSON.stringify({ query: 'subscription { __typename }' }),
  'introspection': JSON.stringify({ query: '{ __schema { queryType { name } } __type(name: "SortOrder") { enumValues { name } } }' }),
  'extensions': JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }),
  'an unknown parameter': JSON.stringify({ query: '{ __typename }', foo: 1 }),
  'a query that is not a string': JSON.stringify({ query: 42 }),
  'a batch': JSON.stringify([{ query: '{ __typename }' }]),
  'an empty object': '{}',
  'null': 'null',
  'text that is not JSON': 'garbage',
  "a status group's page and the counts": JSON.stringify({ query: '{ trainingJobCounts { total byGroup { group count } } trainingJobs(statusGroup: RUNNING, perPage: 3) { totalCount jobs { id statusGroup } } }' }),
  'status with statusGroup': JSON.stringify({ query: '{ trainingJobs(status: RUNNING, statusGroup: RUNNING) { totalCount } }' }),
  'an operation over the upstream-call budget': JSON.stringify({
    query: `query ($deep: Int!) { ${Array.from({ length: 5 }, (_, i) => `c${i}: trainingJobCounts(search: "x${i}") { total }`).join(' ')} trainingJobs(statusGroup: FAILED, page: $deep, perPage: 1) { totalCount } }`,
    variables: { deep: 1 },
  }),
  'a document nested too deep': JSON.stringify({ query: `${'{a'.repeat(100)}${'}'.repeat(100)}` }),
};
const ACCEPTS: Array<string | undefined> = [
  undefined, '', '*/*', 'application/json', 'application/graphql-response+json',
  'application/graphql-response+json, application/json;q=0.9', 'application/json; charset=utf-8',
  'application/*', 'text/html', ';;;q=x', 'garbage', 'application/graphql-response+json;q=0',
];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'];

async function send(stack: Stack, body: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // compared as text
  }
  return { status: res.status, type: res.headers.get('content-type'), body: parsed };
}

describe.each(Object.entries(BODIES))('for %s', (_name, body) => {
  it.each(ACCEPTS.map((accept) => [String(accept), accept] as const))('answers like yoga with Accept %s', async (_label, accept) => {
    for (const [i, type] of CONTENT_TYPES.entries()) {
      const headers: Record<string, string> = { 'content-type': type };
      if (accept !== undefined) headers.accept = accept;
      if (i !== 1) headers['x-auth-token'] = 'token';
      headers['x-request-id'] = `fast-path-${i}`;
      const [a, b, c] = await Promise.all([send(fast, body, headers), send(fastOnGraphqlJs, body, headers), send(yogaOnly, body, headers)]);
      expect(a).toEqual(c);
      expect(b).toEqual(c);
    }
  });
});

it('sends the upstream the same calls either way', async () => {
  fast.emulator.clearRequests();
  yogaOnly.emulator.clearRequests();
  const body = JSON.stringify({ query: '{ a: trainingJobs(status: RUNNING) { totalCount } b: trainingJobs(page: 2) { totalCount } }' });
  const headers = { 'content-type': 'application/json', 'x-auth-token': 'token', 'x-request-id': 'same-id' };
  await Promise.all([send(fast, body, headers), send(yogaOnly, body, headers)]);
  const calls = (s: Stack) => s.emulator.requests.map((r) => [r.query, r.headers['x-request-id'], r.headers['x-auth-token']]).sort();
  expect(calls(fast)).toEqual(calls(yogaOnly));
  expect(calls(fast)).toHaveLength(2);
});
