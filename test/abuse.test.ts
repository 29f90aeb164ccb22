/**
 * Abuse, each kind beside a normal query: refused quickly with the right error, while the
 * normal query still succeeds and the upstream sees only it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const NORMAL = JSON.stringify({ query: '{ trainingJobs { totalCount } }' });
const json = { 'content-type': 'application/json', 'x-auth-token': 't' };

const CASES: Array<[string, RequestInit, number, RegExp]> = [
  ['an alias bomb', { method: 'POST', headers: json, body: JSON.stringify({ query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: trainingJobs(page: ${i + 1}) { totalCount }`).join(' ')} }` }) }, 200, /Aliases limit/],
  ['a deep query', { method: 'POST', headers: json, body: JSON.stringify({ query: `{ trainingJobs ${'{ jobs '.repeat(200)}${'}'.repeat(201)}` }) }, 200, /nests deeper than 64/],
  ['a 1 MB document', { method: 'POST', headers: json, body: JSON.stringify({ query: `{ ${'__typename '.repeat(100_000)}}` }) }, 413, /larger than/],
  ['a batched array', { method: 'POST', headers: json, body: JSON.stringify(Array.from({ length: 50 }, () => JSON.parse(NORMAL))) }, 400, /Batching is not supported/],
  ['a forged form content type', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-token': 't' }, body: `query=${encodeURIComponent('{ trainingJobs { totalCount } }')}` }, 403, /CSRF|x-graphql-csrf|Required/i],
  ['a forged text/plain content type', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-auth-token': 't' }, body: NORMAL }, 403, /CSRF|x-graphql-csrf|Required/i],
  ['a document of 20,000 tokens', { method: 'POST', headers: json, body: JSON.stringify({ query: `{ ${'a '.repeat(20_000)}}` }) }, 200, /more that 5000 tokens/],
];

it.each(CASES)('refuses %s quickly while a normal query succeeds', async (_name, init, status, message) => {
  stack.emulator.clearRequests();
  const started = Date.now();
  const [abuse, normal] = await Promise.all([
    fetch(`${stack.origin}/graphql`, init).then(async (r) => ({ status: r.status, text: await r.text() })),
    fetch(`${stack.origin}/graphql`, { method: 'POST', headers: json, body: NORMAL }).then((r) => r.json()),
  ]);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(abuse.status).toBe(status);
  expect(abuse.text).toMatch(message);
  expect(normal).toEqual({ data: { trainingJobs: { totalCount: expect.any(Number) } } });
  expect(stack.emulator.requests).toHaveLength(1);
});
