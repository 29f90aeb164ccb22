/**
 * The Redis link's verdict (src/redis/link.ts) against a real redis-server: a command runs at
 * once or fails within REDIS_TIMEOUT_MS; after a timeout nothing more is asked until a PING on
 * a connection of its own decides whether Redis is down (a probe then brings it back) or the
 * command connection was merely congested; the gateway's own stalls are not Redis's; one log
 * line per change.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisLink, type RedisLink } from '../../src/redis/link.ts';
import { freePort } from '../support/process.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

const TIMEOUT_MS = 100;

let redis: RedisServer;
let link: RedisLink | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());
afterEach(async () => {
  redis.resume();
  await link?.close();
  link = undefined;
});

function open(port = redis.port) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const counts = { errors: 0, states: [] as boolean[] };
  const config: RedisConfig = { host: '127.0.0.1', port, username: undefined, password: undefined, db: 0, tls: false, keyPrefix: 'test:', timeoutMs: TIMEOUT_MS };
  link = createRedisLink(config, {
    log: createLogger('info', sink),
    observe: { state: (up) => counts.states.push(up), error: () => counts.errors++ },
    probeMs: 100,
  });
  const states = () => lines.filter((l) => l['redis'] !== undefined).map((l) => l['redis']);
  return { link, lines, counts, states };
}

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('the Redis link', () => {
  it('comes up, runs commands under its prefix, and says so once', async () => {
    const { link, counts, states } = open();
    await vi.waitFor(() => expect(link.up).toBe(true));
    expect(await link.attempt((r) => r.set(link.key('a'), '1'))).toBe('OK');
    expect(await redis.command('GET', 'test:a')).toBe('$1\r\n1\r\n');
    expect(states()).toEqual(['up']);
    expect(counts).toEqual({ errors: 0, states: [true] });
  });

  it('does not take its own stalled event loop for a slow Redis', async () => {
    const { link, counts } = open();
    await vi.waitFor(() => expect(link.up).toBe(true));
    for (const stall of [3 * TIMEOUT_MS, 6 * TIMEOUT_MS]) {
      const answer = link.attempt((r) => r.ping());
      busy(stall); // the command waits to be written, and its reply to be read
      expect(await answer).toBe('PONG');
    }
    expect(link.up).toBe(true);
    expect(counts.errors).toBe(0);
  });

  it('frozen: one timeout, then nothing asked of it, down once the PING agrees; answering again: up, by the probe', async () => {
    const { link, counts, states } = open();
    await vi.waitFor(() => expect(link.up).toBe(true));
    redis.pause();
    let started = performance.now();
    expect(await link.attempt((r) => r.ping())).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 100);
    // Suspect, then down: either way nothing is asked, nothing waits.
    const op = vi.fn((r: Parameters<Parameters<RedisLink['attempt']>[0]>[0]) => r.ping());
    for (let i = 0; i < 2; i++) {
      started = performance.now();
      expect(await Promise.all([1, 2, 3].map(() => link.attempt(op)))).toEqual([undefined, undefined, undefined]);
      expect(op).not.toHaveBeenCalled();
      expect(performance.now() - started).toBeLessThan(20);
      await vi.waitFor(() => expect(link.up).toBe(false), { timeout: 2 * TIMEOUT_MS + 100 });
    }
    redis.resume();
    await vi.waitFor(() => expect(link.up).toBe(true), { timeout: 2000 });
    expect(await link.attempt((r) => r.ping())).toBe('PONG');
    expect(states()).toEqual(['up', 'down', 'up']);
    expect(counts.states).toEqual([true, false, true]);
    expect(counts.errors).toBeGreaterThanOrEqual(1);
  });

  it('congested: a command stuck behind a slow one times out, and Redis stays up (no line, no state change)', async () => {
    const { link, counts, states } = open();
    await vi.waitFor(() => expect(link.up).toBe(true));
    // A blocking pop holds the command connection for 3 timeouts, as a queue of large replies
    // on a busy replica does; Redis itself answers everybody else at once.
    const blocking = link.commands.blpop(link.key('nothing'), (3 * TIMEOUT_MS) / 1000);
    expect(await link.attempt((r) => r.ping())).toBeUndefined();
    await blocking;
    await vi.waitFor(async () => expect(await link.attempt((r) => r.ping())).toBe('PONG'), { timeout: 500 });
    expect(link.up).toBe(true);
    expect(states()).toEqual(['up']);
    expect(counts.states).toEqual([true]);
    expect(counts.errors).toBe(1);
  });

  it('killed: fails at once, reconnects by itself when Redis is back', async () => {
    const { link, states, lines } = open();
    await vi.waitFor(() => expect(link.up).toBe(true));
    await redis.kill();
    await vi.waitFor(() => expect(link.up).toBe(false), { timeout: 1000 });
    const started = performance.now();
    expect(await link.attempt((r) => r.ping())).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(20);
    await redis.restart();
    await vi.waitFor(() => expect(link.up).toBe(true), { timeout: 5000 });
    expect(states()).toEqual(['up', 'down', 'up']);
    expect(lines.find((l) => l['redis'] === 'down')).toMatchObject({ level: 40, reason: 'connection lost' });
  });

  it('starts with Redis unreachable without throwing, and says so once, naming no host', async () => {
    const port = await freePort();
    const { link, states, lines } = open(port);
    expect(await link.attempt((r) => r.ping())).toBeUndefined();
    await vi.waitFor(() => expect(states()).toEqual(['down']), { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(states()).toEqual(['down']);
    expect(JSON.stringify(lines)).not.toContain(String(port));
  });
});
