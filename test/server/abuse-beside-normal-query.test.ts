/**
 * Abuse, each kind beside a normal query: refused quickly with the right error, while the
 * normal query still succeeds and the upstream sees only it.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

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

it.each([
  ['a JSON POST (the fast path)', 'application/json'],
  ['a GraphQL POST (yoga)', 'application/graphql'],
])('logs no error when a client hangs up mid-body: %s', async (_name, type) => {
  const before = stack.logs.length;
  const url = new URL(stack.origin);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nx-graphql-csrf: 1\r\nContent-Length: 100\r\n\r\n{"query":`);
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  // The request line of a request cut short is written when its response closes.
  await expect.poll(() => stack.logs.slice(before).some((l) => l['msg'] === 'request')).toBe(true);
  expect(stack.logs.slice(before).filter((l) => Number(l['level']) >= 50)).toEqual([]);
  expect((await stack.gql('{ trainingJobs { totalCount } }')).status).toBe(200);
});
