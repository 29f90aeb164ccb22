/**
 * Redis failing under load (DESIGN.md "Scale-out": "Redis is an accelerator, never a dependency
 * of an answer"): three gateway processes with the shared cache and rate limits, a steady load
 * spread over them, and Redis killed, or frozen (SIGSTOP: connections open, nothing answers).
 * No request fails, none waits more than REDIS_TIMEOUT_MS beyond normal, /ready stays 200, and
 * when Redis is back the fleet shares again without a restart.
 */
import { describe, expect, it } from 'vitest';
import { ask, expectShared, metric, redisState, startReplicas, useFleet, type Answer } from '../support/fleet.ts';

const TIMEOUT_MS = 200;
const CLIENTS = 6;

const fleet = useFleet();

/** Round-robin requests from CLIENTS clients until stopped: many pages, so Redis is asked often. */
function load() {
  const answers: Array<Answer & { at: number }> = [];
  const failures: unknown[] = [];
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let n = c; running; n += CLIENTS) {
      const query = `{ trainingJobs(page: ${1 + (n % 60)}, perPage: 3) { totalCount jobs { id } } }`;
      try {
        answers.push({ ...(await ask(fleet.replicas[n % fleet.replicas.length]!.origin, query, `caller-${n % 4}`)), at: performance.now() });
      } catch (err) {
        failures.push(err);
      }
    }
  });
  return {
    answers,
    /** Answers that were not a page. */
    bad: () => answers.filter((a) => a.status !== 200 || a.body.errors !== undefined || !a.body.data?.['trainingJobs']),
    failures,
    slowest: (from: number, to = Infinity) => Math.max(0, ...answers.filter((a) => a.at >= from && a.at < to).map((a) => a.ms)),
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis failing under load', () => {
  it.each([
    ['killed', () => fleet.redis.kill(), () => fleet.redis.restart()],
    ['frozen', async () => fleet.redis.pause(), async () => fleet.redis.resume()],
  ])('%s: no request fails or waits more than REDIS_TIMEOUT_MS longer; back, the fleet shares again', async (_how, fail, recover) => {
    fleet.replicas = await startReplicas(3, fleet.emulator.url, {
      REDIS_URL: fleet.redis.url, REDIS_TIMEOUT_MS: String(TIMEOUT_MS), CACHE_TTL_MS: '60000', RATE_LIMIT_PER_SECOND: '100000',
    });
    await redisState(fleet.replicas, true);
    const traffic = load();
    // The first second warms up (connections, JIT); the next one is what normal looks like.
    const warm = performance.now() + 1000;
    await sleep(2500);
    const normal = traffic.slowest(warm);
    const broke = performance.now();
    await fail();
    await sleep(2000);
    for (const r of fleet.replicas) expect((await fetch(`${r.origin}/ready`)).status).toBe(200);
    await redisState(fleet.replicas, false);
    const during = traffic.slowest(broke);
    await recover();
    await redisState(fleet.replicas, true);
    await sleep(500);
    await traffic.stop();

    expect(traffic.failures).toEqual([]);
    expect(traffic.bad()).toEqual([]);
    expect(traffic.answers.filter((a) => a.at > broke).length).toBeGreaterThan(50);
    // The noise of two shared cores on top: "normal" is the slowest answer before the failure.
    expect(during).toBeLessThan(normal + TIMEOUT_MS + 250);
    for (const r of fleet.replicas) expect(await metric(r.origin, 'gateway_redis_errors_total')).toBeGreaterThan(0);
    // One line per change of state, not per failed command (a loaded machine may add a round).
    for (const replica of fleet.replicas) {
      const states = replica.logs.filter((l) => l['redis'] !== undefined).map((l) => l['redis'] as string);
      expect(states.join(' ')).toMatch(/^down up( down up)*$/);
    }

    // Sharing again: a page fetched by one replica serves another.
    await expectShared(fleet.replicas[0]!, fleet.replicas[1]!, fleet.emulator);
    expect(await metric(fleet.replicas[1]!.origin, 'gateway_cache_lookups_total{store="redis",result="hit"}')).toBeGreaterThan(0);
  }, 60_000);
});
