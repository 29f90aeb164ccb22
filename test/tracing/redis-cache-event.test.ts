/**
 * A page one replica fetched and another serves from Redis's page store: the second's operation
 * span carries `cache.hit` with `tjg.cache.store` `redis`, and no CLIENT span (DESIGN.md
 * "OpenTelemetry traces"). Two stacks share a real redis-server.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { RedisConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisLink, type RedisLink } from '../../src/redis/link.ts';
import { createRedisPageStore } from '../../src/redis/page-store.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const QUERY = '{ trainingJobs(perPage: 2) { totalCount jobs { id } } }';
const TRACE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

let redis: RedisServer;
let receiver: OtlpReceiver;
const links: RedisLink[] = [];
const stacks: Stack[] = [];

function link(): RedisLink {
  const config: RedisConfig = { host: '127.0.0.1', port: redis.port, username: undefined, password: undefined, db: 0, tls: false, keyPrefix: 'spans:', timeoutMs: 500 };
  const made = createRedisLink(config, { log: createLogger('silent', new Writable({ write: (_c, _e, done) => done() })) });
  links.push(made);
  return made;
}

async function replica(): Promise<Stack> {
  const shared = link();
  await vi.waitFor(() => expect(shared.up).toBe(true));
  const stack = await startStack({ cache: { ttlMs: 60_000, shared: createRedisPageStore(shared) }, tracing: { url: `${receiver.url}/v1/traces` } });
  stacks.push(stack);
  return stack;
}

beforeAll(async () => {
  [redis, receiver] = await Promise.all([startRedis(), startOtlpReceiver()]);
});
afterAll(async () => {
  for (const stack of stacks) await stack.close();
  for (const l of links) await l.close();
  await Promise.all([redis.stop(), receiver.close()]);
});

it('marks a page another replica fetched as a Redis cache hit, with no call of its own', async () => {
  const [first, second] = [await replica(), await replica()];
  expect((await first.gql(QUERY)).body.errors).toBeUndefined();
  // The first replica stores the page in the background.
  await vi.waitFor(async () => expect(await redis.command('KEYS', 'spans:*')).not.toBe('*0\r\n'));
  const res = await second.gql(QUERY, undefined, { ...AUTH, traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
  expect(res.body.errors).toBeUndefined();
  expect(second.emulator.requests).toHaveLength(0);
  const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === TRACE).length >= 2);
  const mine = spans.filter((s) => s.traceId === TRACE);
  expect(mine.filter((s) => s.kind === 'client')).toEqual([]);
  expect(mine.find((s) => s.kind === 'internal')!.events).toEqual([{ name: 'cache.hit', attributes: { 'tjg.cache.store': 'redis' } }]);
});
