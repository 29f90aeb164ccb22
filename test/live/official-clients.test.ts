/**
 * Subscriptions through the official clients, over real sockets, against an emulator whose data
 * moves with a fake clock: graphql-sse's client (SSE, distinct connections mode), graphql-ws's
 * client (WebSocket), and Apollo Client's GraphQLWsLink. Each sees the query's answer first,
 * nothing while the data stands still, and the next page once it moves.
 */
import { ApolloClient, InMemoryCache, gql } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ws, wsClient, type Result, type Subscriber } from '../support/live.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { UPSTREAMS } from '../support/upstreams.ts';

// __typename throughout, as Apollo Client adds it to every selection.
const PAGE = `trainingJobs(status: RUNNING, perPage: 3, sortBy: CREATE_TIME, order: DESC) {
  __typename totalCount jobs { __typename id name status duration }
}`;
const SUBSCRIPTION = `subscription Running { ${PAGE} }`;
const QUERY = `query Running { ${PAGE} }`;
const POLL_MS = 100;
const EPOCH = Date.UTC(2026, 10, 1);

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  let now = EPOCH;
  beforeAll(async () => {
    stack = await startStack({ api, emulator: { motion: { clock: () => now, epoch: EPOCH } }, live: { pollMs: POLL_MS } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    now = EPOCH;
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const query = async (token: string) => (await stack.gql(QUERY, undefined, { 'x-auth-token': token })).body;

  /** The behaviour every client must show, given a subscriber that has just been started. */
  async function watchesTheDataMove(subscriber: Subscriber, token: string) {
    const [first] = await subscriber.received(1);
    expect(first).toEqual(await query(token));
    // The clock stands still: polls find the same page and send nothing.
    await sleep(POLL_MS * 4);
    expect(subscriber.results).toHaveLength(1);
    // A second passes: every running job has run a second longer.
    now += 1000;
    const [, second] = await subscriber.received(2);
    expect(second).toEqual(await query(token));
    expect(second).not.toEqual(first);
    const durations = (r: Result) => r.data!['trainingJobs'].jobs.map((j: { duration: string }) => j.duration);
    expect(durations(second!)).not.toEqual(durations(first!));
    subscriber.stop();
  }

  describe('graphql-sse client (SSE, distinct connections)', () => {
    it('sees the first page, nothing while it stands still, and the change', async () => {
      const client = createSseClient({ url: `${stack.origin}/graphql`, headers: { 'x-auth-token': 'sse-client' }, retryAttempts: 0 });
      const results: Result[] = [];
      const subscriber = Object.assign(
        { results, completed: false },
        {
          stop: client.subscribe({ query: SUBSCRIPTION }, { next: (r) => void results.push(r as Result), error: () => {}, complete: () => {} }),
          done: Promise.resolve(),
          received: (n: number) => waitFor(() => results.length >= n).then(() => results),
        },
      );
      await watchesTheDataMove(subscriber, 'sse-client');
      client.dispose();
    });
  });

  describe('graphql-ws client (WebSocket)', () => {
    it('sees the first page, nothing while it stands still, and the change', async () => {
      const client = wsClient(stack.origin, { 'x-auth-token': 'ws-client' });
      await watchesTheDataMove(ws(client, SUBSCRIPTION), 'ws-client');
      await client.dispose();
    });

    it('takes the credential from the upgrade request when connection_init carries none', async () => {
      const client = wsClient(stack.origin, undefined, { authorization: 'Bearer ws-header' });
      const subscriber = ws(client, SUBSCRIPTION);
      await subscriber.received(1);
      expect(subscriber.results[0]).toEqual(await query('ws-header'));
      expect(stack.emulator.requests.some((r) => r.headers['x-auth-token'] === 'ws-header')).toBe(true);
      subscriber.stop();
      await client.dispose();
    });
  });

  describe('Apollo Client (GraphQLWsLink)', () => {
    it('sees the first page, nothing while it stands still, and the change', async () => {
      // Spelled as many clients spell it: the key's case does not matter.
      const wsc = wsClient(stack.origin, { Authorization: 'Bearer apollo-live' });
      const apollo = new ApolloClient({ link: new GraphQLWsLink(wsc), cache: new InMemoryCache() });
      const results: Result[] = [];
      const subscription = apollo.subscribe({ query: gql(SUBSCRIPTION), fetchPolicy: 'no-cache' }).subscribe({
        next: ({ data }) => void results.push({ data: data as Record<string, any> }),
      });
      await watchesTheDataMove(
        {
          results,
          completed: false,
          done: Promise.resolve(),
          stop: () => subscription.unsubscribe(),
          received: (n) => waitFor(() => results.length >= n).then(() => results),
        },
        'apollo-live',
      );
      await wsc.dispose();
    });
  });

  async function waitFor(condition: () => boolean, timeout = 5000) {
    const end = Date.now() + timeout;
    while (!condition()) {
      if (Date.now() > end) throw new Error('timed out');
      await sleep(10);
    }
  }
});
