/**
 * Live pollers across a fleet (DESIGN.md "Scale-out"): subscribers of one key spread over three
 * gateway processes cause one upstream call per interval (a status group's page, one fan-out);
 * the lease holder killed with SIGKILL, the others' subscribers keep getting changes within
 * 3 x LIVE_POLL_MS; Redis away, every replica polls for its own subscribers, and sharing resumes
 * when Redis is back.
 *
 * The emulator's data moves with the real clock (demo motion): the durations of running jobs
 * grow, so every poll finds a changed page.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metric, redisState, startReplicas, useFleet } from '../support/fleet.ts';
import { sse, type Subscriber } from '../support/live.ts';
import type { GatewayProcess } from '../support/process.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const POLL_MS = 1000;
const LIVE = 'subscription { trainingJobs(status: RUNNING, perPage: 5) { jobs { id duration } } }';
const TOKEN = 'fleet-live-token';

const fleet = useFleet({ motion: {} });
let subscribers: Subscriber[] = [];
afterEach(() => {
  for (const s of subscribers) s.stop();
  subscribers = [];
});

const subscribe = (replica: GatewayProcess) => {
  const s = sse(replica.origin, LIVE, { headers: { 'x-auth-token': TOKEN } });
  subscribers.push(s);
  return s;
};
const sum = async (sample: string, among = fleet.replicas) => (await Promise.all(among.map((r) => metric(r.origin, sample)))).reduce((a, b) => a + b, 0);
const pollersOf = (among: GatewayProcess[]) => Promise.all(among.map((r) => metric(r.origin, 'gateway_live_pollers')));

/** Three replicas (two on v2, a reduced size), three subscribers on each, every one with its first page. */
async function fleetWithSubscribers(api: Api = 'v1') {
  fleet.replicas = await startReplicas(api === 'v1' ? 3 : 2, fleet.emulator.url, { REDIS_URL: fleet.redis.url, LIVE_POLL_MS: String(POLL_MS), MODELARTS_API: api });
  await redisState(fleet.replicas, true);
  const spread = fleet.replicas.map((r) => [subscribe(r), subscribe(r), subscribe(r)]);
  await Promise.all(spread.flat().map((s) => s.received(1)));
  return spread;
}

describe('one poller per key for the whole fleet', () => {
  it.each(UPSTREAMS)('polls once per interval for subscribers on every replica, and all of them get every change, on %s', async (api) => {
    const spread = await fleetWithSubscribers(api);
    expect(await sum('gateway_live_subscriptions')).toBe(spread.flat().length);
    expect(await sum('gateway_live_pollers')).toBe(1);

    fleet.emulator.clearRequests();
    const before = spread.flat().map((s) => s.results.length);
    await new Promise((r) => setTimeout(r, 5 * POLL_MS));
    // 5 intervals with ±10 % jitter: 4 to 6 polls, where a poller per replica would make 10 or 15.
    expect(fleet.emulator.requests.length).toBeGreaterThanOrEqual(4);
    expect(fleet.emulator.requests.length).toBeLessThanOrEqual(6);
    const gained = spread.flat().map((s, i) => s.results.length - before[i]!);
    for (const n of gained) expect(n).toBeGreaterThanOrEqual(3);
    // Everybody ends on the same page.
    await vi.waitFor(() => {
      const last = spread.flat().map((s) => JSON.stringify(s.results.at(-1)));
      expect(new Set(last).size).toBe(1);
    });
  }, 60_000);

  it('polls a status group page once per interval for the fleet: one fan-out, not one per replica', async () => {
    fleet.replicas = await startReplicas(3, fleet.emulator.url, { REDIS_URL: fleet.redis.url, LIVE_POLL_MS: String(POLL_MS) });
    await redisState(fleet.replicas, true);
    const GROUP = 'subscription { trainingJobs(statusGroup: RUNNING, perPage: 5) { jobs { id duration statusGroup } } }';
    const spread = fleet.replicas.flatMap((r) => [0, 1].map(() => sse(r.origin, GROUP, { headers: { 'x-auth-token': TOKEN } })));
    subscribers.push(...spread);
    await Promise.all(spread.map((s) => s.received(1)));
    expect(await sum('gateway_live_pollers')).toBe(1);

    fleet.emulator.clearRequests();
    const before = spread.map((s) => s.results.length);
    await new Promise((r) => setTimeout(r, 5 * POLL_MS));
    // 4 to 6 polls of two branches (RUNNING 8, SCALING 15), where three replicas alone would make 30.
    const statuses = fleet.emulator.requests.map((r) => new URLSearchParams(r.params).get('status'));
    expect(statuses.length).toBeGreaterThanOrEqual(8);
    expect(statuses.length).toBeLessThanOrEqual(12);
    expect(statuses.filter((st) => st === '8').length).toBe(statuses.filter((st) => st === '15').length);
    for (const [i, s] of spread.entries()) expect(s.results.length - before[i]!).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('gives a subscriber joining another replica the latest page at once, then hands over when the holder is killed', async () => {
    const spread = await fleetWithSubscribers();
    const pollers = await pollersOf(fleet.replicas);
    const holder = pollers.indexOf(1);
    expect(holder).toBeGreaterThanOrEqual(0);
    const others = fleet.replicas.filter((_, i) => i !== holder);

    // A late subscriber on a replica that does not poll: the page the others have, without waiting for a poll.
    const late = subscribe(others[0]!);
    const asked = performance.now();
    await late.received(1, 2000);
    expect(performance.now() - asked).toBeLessThan(POLL_MS / 2);
    expect(late.results[0]!.data?.['trainingJobs'].jobs).toHaveLength(5);

    const watching = [...spread.filter((_, i) => i !== holder).flat(), late];
    const counts = watching.map((s) => s.results.length);
    fleet.replicas[holder]!.child.kill('SIGKILL');
    const killed = performance.now();
    await Promise.all(watching.map((s, i) => s.received(counts[i]! + 1, 3 * POLL_MS + 1000)));
    const handover = performance.now() - killed;
    expect(handover).toBeLessThan(3 * POLL_MS);
    // One of the survivors polls now, and only one.
    await vi.waitFor(async () => expect((await pollersOf(others)).sort()).toEqual([0, 1]), { timeout: 3 * POLL_MS });
    const again = watching.map((s) => s.results.length);
    await Promise.all(watching.map((s, i) => s.received(again[i]! + 2, 4 * POLL_MS)));
    for (const s of watching) expect(s.completed).toBe(false);
  }, 60_000);

  it('hands over at once when the holder shuts down gracefully (a rolling deploy)', async () => {
    const spread = await fleetWithSubscribers();
    const holder = (await pollersOf(fleet.replicas)).indexOf(1);
    const others = fleet.replicas.filter((_, i) => i !== holder);
    const watching = spread.filter((_, i) => i !== holder).flat();
    const counts = watching.map((s) => s.results.length);
    fleet.replicas[holder]!.child.kill('SIGTERM');
    const signalled = performance.now();
    // It gives its leases back and says so: no waiting for the lease to expire (1.5 intervals).
    await vi.waitFor(async () => expect((await pollersOf(others)).sort()).toEqual([0, 1]), { timeout: POLL_MS, interval: 20 });
    await Promise.all(watching.map((s, i) => s.received(counts[i]! + 1, POLL_MS)));
    expect(performance.now() - signalled).toBeLessThan(POLL_MS);
    expect(await fleet.replicas[holder]!.exited).toEqual([0, null]);
  }, 60_000);
});

describe('live polling while Redis is away', () => {
  it('polls on every replica for its own subscribers, then shares again when Redis is back, without a restart', async () => {
    const spread = await fleetWithSubscribers();
    await fleet.redis.kill();
    await redisState(fleet.replicas, false);
    await vi.waitFor(async () => expect(await pollersOf(fleet.replicas)).toEqual([1, 1, 1]));
    // Nobody hears anybody, yet every subscriber keeps getting changes from its own replica.
    const counts = spread.flat().map((s) => s.results.length);
    await Promise.all(spread.flat().map((s, i) => s.received(counts[i]! + 2, 4 * POLL_MS)));

    await fleet.redis.restart();
    await redisState(fleet.replicas, true);
    await vi.waitFor(async () => expect(await sum('gateway_live_pollers')).toBe(1), { timeout: 3 * POLL_MS });
    fleet.emulator.clearRequests();
    const shared = spread.flat().map((s) => s.results.length);
    await new Promise((r) => setTimeout(r, 3 * POLL_MS));
    expect(fleet.emulator.requests.length).toBeLessThanOrEqual(4);
    for (const [i, s] of spread.flat().entries()) expect(s.results.length).toBeGreaterThan(shared[i]!);
  }, 60_000);
});
