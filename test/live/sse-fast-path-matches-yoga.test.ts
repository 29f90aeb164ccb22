/**
 * Subscriptions over SSE on the fast path stream exactly what yoga streams: the same requests go
 * to a gateway with the fast path and one without, both on one emulator clock, and the status,
 * the stream's headers and its bytes (keep-alive comments aside, request ids normalized) must
 * match, through a change of the data and to the end of the stream.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { sse } from '../support/live.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const EPOCH = Date.UTC(2026, 10, 1);
let now = EPOCH;
let fast: Stack;
let yogaOnly: Stack;
beforeAll(async () => {
  const options = { emulator: { motion: { clock: () => now, epoch: EPOCH } }, live: { pollMs: 50 } };
  [fast, yogaOnly] = await Promise.all([startStack(options), startStack({ ...options, fastPath: false })]);
});
afterAll(() => Promise.all([fast.close(), yogaOnly.close()]));

const LIVE = 'subscription Live($perPage: Int!) { trainingJobs(perPage: $perPage, status: RUNNING) { totalCount jobs { id name duration createdAt } } }';
const CASES: Record<string, { body: Record<string, unknown>; accept?: string; events: number }> = {
  'a subscription with variables': { body: { query: LIVE, variables: { perPage: 2 } }, events: 2 },
  'a named subscription among two operations': { body: { query: `${LIVE} query Other { __typename }`, operationName: 'Live', variables: { perPage: 1 } }, events: 2 },
  'aliases, fragments and __typename': {
    body: { query: 'subscription { t: trainingJobs(perPage: 1, status: RUNNING) { __typename ...P } } fragment P on TrainingJobPage { n: totalCount jobs { duration } }' },
    events: 2,
  },
  'an argument out of range (an error, then the end)': { body: { query: LIVE, variables: { perPage: 0 } }, events: 1 },
  'a variable of the wrong type': { body: { query: LIVE, variables: { perPage: 'two' } }, events: 1 },
  'a missing variable': { body: { query: LIVE }, events: 1 },
  'a query over SSE': { body: { query: '{ trainingJobs(perPage: 1) { totalCount } }' }, events: 1 },
  'a subscription with extensions (relayed from yoga)': { body: { query: LIVE, variables: { perPage: 1 }, extensions: {} }, events: 2 },
  'no credential': { body: { query: LIVE, variables: { perPage: 1 } }, events: 1 },
  'event-stream first among two types': { body: { query: LIVE, variables: { perPage: 1 } }, accept: 'text/event-stream, application/json', events: 2 },
};

/** The stream's first `events` results, as text without keep-alive comments and with stable request ids. */
async function stream(stack: Stack, { body, accept, events }: (typeof CASES)[string], token: string | undefined) {
  let text = '';
  let status = 0;
  let headers: Record<string, string | null> = {};
  const subscriber = sse(stack.origin, body['query'] as string, {
    headers: { ...(token ? { 'x-auth-token': token } : {}), ...(accept ? { accept } : {}) },
    variables: body['variables'] as Record<string, unknown> | undefined,
    onText: (chunk) => (text += chunk),
    onResponse: (res) => {
      status = res.status;
      headers = Object.fromEntries(['content-type', 'cache-control', 'connection', 'content-encoding'].map((h) => [h, res.headers.get(h)]));
    },
    extra: { operationName: body['operationName'], extensions: body['extensions'] },
  });
  await subscriber.received(1);
  return {
    status,
    headers,
    async rest() {
      if (events > 1) {
        now += 1000;
        await subscriber.received(events);
        subscriber.stop();
      }
      await subscriber.done.catch(() => {}); // stop() aborts the read
      return text.replaceAll(':\n\n', '').replace(/"requestId":"[^"]+"/g, '"requestId":"…"');
    },
  };
}

it.each(Object.keys(CASES))('%s', async (name) => {
  const spec = CASES[name]!;
  // A credential of its own: no case meets a poller another case left running.
  const token = name === 'no credential' ? undefined : `case-${Object.keys(CASES).indexOf(name)}`;
  const [a, b] = await Promise.all([stream(fast, spec, token), stream(yogaOnly, spec, token)]);
  expect(a.status).toBe(b.status);
  expect(a.headers).toEqual(b.headers);
  const [textA, textB] = await Promise.all([a.rest(), b.rest()]);
  expect(textA).toBe(textB);
  expect(textA).toContain('event: next');
});

it('takes subscriptions on the fast path, not through yoga', async () => {
  // yoga's answer carries its own ping every 12 s (300 ms under NODE_ENV=test); the fast path's shared ticker does not.
  expect(process.env['NODE_ENV']).toBe('test');
  let text = '';
  const subscriber = sse(fast.origin, LIVE, { headers: AUTH, variables: { perPage: 1 }, onText: (chunk) => (text += chunk) });
  await subscriber.received(1);
  await new Promise((resolve) => setTimeout(resolve, 800));
  subscriber.stop();
  expect(text.split(':\n\n').length - 1).toBe(1);
});

it('sends a keep-alive comment within 15 s on a stream with nothing to say', async () => {
  let text = '';
  const subscriber = sse(fast.origin, LIVE, { headers: { 'x-auth-token': 'quiet' }, variables: { perPage: 1 }, onText: (chunk) => (text += chunk) });
  await subscriber.received(1);
  const start = Date.now();
  const comments = () => text.split(':\n\n').length - 1;
  await vi.waitFor(() => expect(comments()).toBe(2), { timeout: 15_000, interval: 100 });
  expect(Date.now() - start).toBeLessThan(15_000);
  subscriber.stop();
}, 20_000);
