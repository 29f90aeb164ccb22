/**
 * One poller per key (DESIGN.md "Live updates"): subscribers of the same page with the same
 * credential share one upstream call per interval, whatever their number and transport; other
 * credentials never share; a late subscriber gets the latest page without a call; the last one
 * leaving stops the calls. Counted at the emulator, over real sockets, on both upstreams.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sse, ws, wsClient, type Subscriber } from '../support/live.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';
import { OWN_ORDER, UPSTREAMS } from '../support/upstreams.ts';

const LIVE = 'subscription Live { trainingJobs(perPage: 3, sortBy: CREATE_TIME) { totalCount jobs { id name } } }';
const POLL_MS = 200;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokensSeen = (s: Stack) => new Set(s.emulator.requests.map((r) => r.headers['x-auth-token']));

describe.each(UPSTREAMS)('on %s', (api) => {
  it('polls once per interval for 100 subscribers of one page, over SSE and WebSocket', async () => {
    stack = await startStack({ api, live: { pollMs: POLL_MS, maxPerCaller: 100 } });
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < 80; i++) subscribers.push(sse(stack.origin, LIVE, { headers: { 'x-auth-token': 'shared' } }));
    const client = wsClient(stack.origin, { 'x-auth-token': 'shared' });
    for (let i = 0; i < 20; i++) subscribers.push(ws(client, LIVE));
    await Promise.all(subscribers.map((s) => s.received(1)));
    expect(stack.live.subscriptions).toBe(100);
    expect(stack.live.pollers).toBe(1);
    const metrics = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_live_subscriptions 100$/m);
    expect(metrics).toMatch(/^gateway_live_pollers 1$/m);
    expect(metrics).toMatch(/^gateway_live_events_total 100$/m);
    expect(metrics).toMatch(/^gateway_upstream_calls_total\{outcome="ok"\} [1-5]$/m); // the polls so far
    // Everyone sees the same first page, which is the query's answer.
    const query = await stack.gql(LIVE.replace('subscription', 'query'), undefined, { 'x-auth-token': 'shared' });
    for (const s of subscribers) expect(s.results[0]).toEqual(query.body);

    stack.emulator.clearRequests();
    await sleep(POLL_MS * 5);
    // About five polls (±10 % jitter), not five hundred; the data did not change, so no event.
    expect(stack.emulator.requests.length).toBeGreaterThanOrEqual(3);
    expect(stack.emulator.requests.length).toBeLessThanOrEqual(7);
    for (const s of subscribers) expect(s.results).toHaveLength(1);

    for (const s of subscribers) s.stop();
    await vi.waitFor(() => expect(stack!.live.subscriptions).toBe(0));
    expect(stack.live.pollers).toBe(0);
    // A call that was on the wire when the last one left may still land (aborted); nothing after it.
    await sleep(100);
    const after = stack.emulator.requests.length;
    await sleep(POLL_MS * 3);
    expect(stack.emulator.requests.length).toBe(after);
    const ended = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(ended).toMatch(/^gateway_live_subscriptions 0$/m);
    expect(ended).toMatch(/^gateway_live_pollers 0$/m);
    await client.dispose();
  });

  it('never shares a poller between two credentials', async () => {
    stack = await startStack({ api, live: { pollMs: POLL_MS } });
    const alice = sse(stack.origin, LIVE, { headers: { 'x-auth-token': 'alice' } });
    const bob = sse(stack.origin, LIVE, { headers: { authorization: 'Bearer bob' } });
    await Promise.all([alice.received(1), bob.received(1)]);
    expect(stack.live.pollers).toBe(2);
    await sleep(POLL_MS * 2);
    expect(tokensSeen(stack)).toEqual(new Set(['alice', 'bob']));
    const byToken = (token: string) => stack!.emulator.requests.filter((r) => r.headers['x-auth-token'] === token).length;
    expect(Math.abs(byToken('alice') - byToken('bob'))).toBeLessThanOrEqual(1);
    alice.stop();
    bob.stop();
  });

  it('gives a late subscriber the latest page at once, without an upstream call', async () => {
    stack = await startStack({ api, live: { pollMs: 60_000 } });
    const first = sse(stack.origin, LIVE, { headers: { 'x-auth-token': 'late' } });
    await first.received(1);
    expect(stack.emulator.requests).toHaveLength(1);
    const late = sse(stack.origin, LIVE, { headers: { 'x-auth-token': 'late' } });
    await late.received(1);
    expect(late.results[0]).toEqual(first.results[0]);
    expect(stack.emulator.requests).toHaveLength(1);
    // Another page is another key: a call of its own.
    const other = sse(stack.origin, LIVE.replace('perPage: 3', 'perPage: 4'), { headers: { 'x-auth-token': 'late' } });
    await other.received(1);
    expect(stack.emulator.requests).toHaveLength(2);
    for (const s of [first, late, other]) s.stop();
  });

  it('shares one key between spelled-out and omitted defaults, as the query cache does', async () => {
    stack = await startStack({ api, live: { pollMs: 60_000 } });
    const implicit = sse(stack.origin, 'subscription { trainingJobs { totalCount } }', { headers: AUTH });
    const explicit = sse(
      stack.origin,
      `subscription { trainingJobs(page: 1, perPage: 10, ${OWN_ORDER[api]}, workspaceId: "0", search: "") { totalCount } }`,
      { headers: AUTH },
    );
    await Promise.all([implicit.received(1), explicit.received(1)]);
    expect(stack.live.pollers).toBe(1);
    expect(stack.emulator.requests).toHaveLength(1);
    implicit.stop();
    explicit.stop();
  });

  it('gives each document and each set of variables its own result, on one shared key', async () => {
    stack = await startStack({ api, live: { pollMs: 60_000 } });
    const DOC = 'subscription Pick($ids: Boolean!) { trainingJobs(perPage: 3) { totalCount jobs { name id @include(if: $ids) } } }';
    const withIds = sse(stack.origin, DOC, { headers: AUTH, variables: { ids: true } });
    const withoutIds = sse(stack.origin, DOC, { headers: AUTH, variables: { ids: false } });
    const countOnly = sse(stack.origin, 'subscription { trainingJobs(perPage: 3) { totalCount } }', { headers: AUTH });
    await Promise.all([withIds, withoutIds, countOnly].map((s) => s.received(1)));
    expect(stack.live.pollers).toBe(1);
    const query = (doc: string, variables?: Record<string, unknown>) => stack!.gql(doc.replace('subscription', 'query'), variables).then((r) => r.body);
    expect(withIds.results[0]).toEqual(await query(DOC, { ids: true }));
    expect(withoutIds.results[0]).toEqual(await query(DOC, { ids: false }));
    expect(countOnly.results[0]).toEqual({ data: { trainingJobs: { totalCount: expect.any(Number) } } });
    expect(withIds.results[0]).not.toEqual(withoutIds.results[0]);
    for (const s of [withIds, withoutIds, countOnly]) s.stop();
  });
});
