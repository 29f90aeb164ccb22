/**
 * Subscriptions to a status group (DESIGN.md "Status groups and counts", "Live updates"): the
 * first event is the query's answer; a job that changes state moves between the groups' pages;
 * a poll is the group's whole fan-out (v1) or its one call (v2), once per interval however many
 * subscribe; arguments refused before any call. Over real sockets, on both upstreams, against
 * an emulator whose data moves with a fake clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sse, ws, wsClient, type Result, type Subscriber } from '../support/live.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { UPSTREAMS } from '../support/upstreams.ts';

const POLL_MS = 150;
const EPOCH = Date.UTC(2026, 10, 1);
const STEP_MS = 4000;
const page = (group: string) => `trainingJobs(statusGroup: ${group}, perPage: 100, sortBy: CREATE_TIME, order: DESC) { totalCount jobs { id status statusGroup } }`;
const ids = (r: Result) => r.data!['trainingJobs'].jobs.map((j: { id: string }) => j.id) as string[];

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  let now = EPOCH;
  beforeAll(async () => {
    stack = await startStack({ api, emulator: { motion: { clock: () => now, epoch: EPOCH, stepMs: STEP_MS } }, live: { pollMs: POLL_MS, maxPerCaller: 100 } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    now = EPOCH;
    stack.emulator.clearRequests();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const query = async (group: string, token: string) => (await stack.gql(`query { ${page(group)} }`, undefined, { 'x-auth-token': token })).body;

  it('sends the query answer first, then the job that started, gone from PENDING and in RUNNING', async () => {
    const headers = { 'x-auth-token': 'groups' };
    const pending = sse(stack.origin, `subscription { ${page('PENDING')} }`, { headers });
    const running = sse(stack.origin, `subscription { ${page('RUNNING')} }`, { headers });
    const [firstPending] = await pending.received(1);
    const [firstRunning] = await running.received(1);
    expect(firstPending).toEqual(await query('PENDING', 'groups'));
    expect(firstRunning).toEqual(await query('RUNNING', 'groups'));

    // The first step starts the job at the head of WAITING.
    now += STEP_MS;
    const [, secondPending] = await pending.received(2);
    const started = ids(firstPending!).filter((id) => !ids(secondPending!).includes(id));
    expect(started).toHaveLength(1);
    await vi.waitFor(() => expect(running.results.some((r) => ids(r).includes(started[0]!))).toBe(true), { timeout: 5000 });
    expect(ids(firstRunning!)).not.toContain(started[0]);
    const moved = running.results.at(-1)!.data!['trainingJobs'].jobs.find((j: { id: string }) => j.id === started[0]);
    expect(moved).toEqual({ id: started[0], status: 'RUNNING', statusGroup: 'RUNNING' });
    expect(secondPending!.data!['trainingJobs'].totalCount).toBe(firstPending!.data!['trainingJobs'].totalCount - 1);
    pending.stop();
    running.stop();
  });

  it('polls the whole fan-out once per interval for 100 subscribers of one group page', async () => {
    const LIVE = `subscription { ${page('RUNNING')} }`;
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < 70; i++) subscribers.push(sse(stack.origin, LIVE, { headers: { 'x-auth-token': 'many' } }));
    const client = wsClient(stack.origin, { 'x-auth-token': 'many' });
    for (let i = 0; i < 30; i++) subscribers.push(ws(client, LIVE));
    await Promise.all(subscribers.map((s) => s.received(1)));
    expect(stack.live.pollers).toBe(1);

    stack.emulator.clearRequests();
    await sleep(POLL_MS * 5);
    if (api === 'v1') {
      // About five polls (±10 % jitter) of two branches each (RUNNING 8 and SCALING 15).
      const statuses = stack.emulator.requests.map((r) => new URLSearchParams(r.params).get('status'));
      expect(statuses.length).toBeGreaterThanOrEqual(6);
      expect(statuses.length).toBeLessThanOrEqual(14);
      expect(statuses.filter((s) => s === '8').length).toBe(statuses.filter((s) => s === '15').length);
      expect(new Set(statuses)).toEqual(new Set(['8', '15']));
    } else {
      // About five polls, each one call for the group's one phase: its first 50 jobs hold them all.
      const bodies = stack.emulator.requests.map((r) => r.body);
      expect(bodies.length).toBeGreaterThanOrEqual(3);
      expect(bodies.length).toBeLessThanOrEqual(7);
      expect(new Set(bodies)).toEqual(new Set(['{"offset":0,"limit":50,"sort_by":"create_time","order":"desc","workspace_id":"0","filters":[{"key":"phase","operator":"in","value":["Running"]}]}']));
    }
    for (const s of subscribers) s.stop();
    await client.dispose();
  });

  it('refuses status with statusGroup before any upstream call, as the query does', async () => {
    const both = 'subscription { trainingJobs(status: RUNNING, statusGroup: RUNNING) { totalCount } }';
    const refused = sse(stack.origin, both, { headers: { 'x-auth-token': 'refused' } });
    const [result] = await refused.received(1);
    const asQuery = (await stack.gql(both.replace('subscription', 'query'), undefined, { 'x-auth-token': 'refused' })).body;
    expect(result!.data).toEqual({ trainingJobs: null });
    expect(result!.errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual(asQuery.errors?.map((e) => [e.message, e.extensions?.['code']]));
    expect(result!.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    // Only this caller's: the previous test's poller may still be finishing its last poll.
    expect(stack.emulator.requests.filter((r) => r.headers['x-auth-token'] === 'refused')).toEqual([]);
  });
});
