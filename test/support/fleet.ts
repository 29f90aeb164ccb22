/**
 * Several gateway processes (real replicas, main.ts) sharing one real redis-server and one
 * emulator, as a fleet behind a load balancer would.
 */
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from './process.ts';
import { startRedis, type RedisServer } from './redis.ts';

export interface Fleet {
  redis: RedisServer;
  emulator: Emulator;
  /** The replicas of the current test: killed, and Redis and the emulator's log emptied, after it. */
  replicas: GatewayProcess[];
}

/** One redis-server and one emulator for a test file, and a clean slate after each test. */
export function useFleet(emulatorOptions: EmulatorOptions = {}): Fleet {
  const fleet = { replicas: [] } as unknown as Fleet;
  beforeAll(async () => {
    [fleet.redis, fleet.emulator] = await Promise.all([startRedis(), createEmulator(emulatorOptions).listen(0, '127.0.0.1')]);
  });
  afterAll(async () => {
    await Promise.all([fleet.redis.stop(), fleet.emulator.close()]);
  });
  afterEach(async () => {
    stopReplicas(fleet.replicas);
    fleet.replicas = [];
    fleet.emulator.clearRequests();
    fleet.redis.resume();
    await fleet.redis.command('FLUSHALL');
  });
  return fleet;
}

/** Starts n replicas with the same environment, in parallel. */
export function startReplicas(n: number, endpoint: string, env: Record<string, string>): Promise<GatewayProcess[]> {
  return Promise.all(Array.from({ length: n }, () => startGatewayProcess(endpoint, { LOG_LEVEL: 'warn', ...env })));
}

export interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  ms: number;
}

/** One POST of a query with a credential; never throws on a GraphQL error. */
export async function ask(origin: string, query: string, token: string): Promise<Answer> {
  const start = performance.now();
  const res = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as Answer['body'];
  return { status: res.status, body, ms: performance.now() - start };
}

/** A sample's value from /metrics, 0 when absent. */
export async function metric(origin: string, sample: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** Waits until every replica reports Redis up (or down). */
export function redisState(replicas: GatewayProcess[], up: boolean, timeout = 10_000): Promise<void> {
  return vi.waitFor(async () => {
    for (const replica of replicas) expect(await metric(replica.origin, 'gateway_redis_up')).toBe(up ? 1 : 0);
  }, { timeout, interval: 50 });
}

export function stopReplicas(replicas: GatewayProcess[]): void {
  for (const replica of replicas) replica.child.kill('SIGKILL');
}

/**
 * Waits until a page `from` fetched is served by `to` without an upstream call: the fleet
 * shares its cache. The write to Redis runs behind the first answer, so each try asks with a
 * credential of its own (a try that came too early leaves the page in `to`'s memory).
 */
export async function expectShared(from: GatewayProcess, to: GatewayProcess, emulator: Emulator): Promise<void> {
  let tries = 0;
  await vi.waitFor(async () => {
    const token = `shared-${tries++}`;
    emulator.clearRequests();
    await ask(from.origin, '{ trainingJobs(page: 99, perPage: 2) { totalCount } }', token);
    await new Promise((r) => setTimeout(r, 20));
    await ask(to.origin, '{ trainingJobs(page: 99, perPage: 2) { totalCount } }', token);
    expect(emulator.requests).toHaveLength(1);
  }, { timeout: 5000, interval: 50 });
}
