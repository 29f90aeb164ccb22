/**
 * Scale-out (DESIGN.md "Scale-out"): three gateway processes, one real redis-server, one
 * emulator. A page one replica fetched serves the others; callers stay apart; nothing in Redis
 * names a credential; the fleet admits one caller's rate in total, an anonymous caller behind a
 * trusted proxy keyed by its forwarded address; a replica starts and serves with Redis
 * unreachable.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { describe, expect, it, vi } from 'vitest';
import { ask, expectShared, metric, redisState, startReplicas, useFleet } from '../support/fleet.ts';
import { freePort, startGatewayProcess } from '../support/process.ts';
import { startRedis } from '../support/redis.ts';
import { UPSTREAMS } from '../support/upstreams.ts';

// Page 14 by creation time holds job 9007199254740993 (2^53 + 1): ids must stay exact through Redis.
const QUERY = '{ trainingJobs(page: 14, perPage: 5, sortBy: CREATE_TIME) { totalCount jobs { id versionId name } } }';
const ALICE = 'alice-secret-token-4f1c';
const BOB = 'bob-secret-token-9a2e';

const fleet = useFleet();

describe('the shared page cache', () => {
  // On v2 at a reduced size (the same three replicas, the same one call, where v2's key is its body).
  it.each(UPSTREAMS)('serves a page one replica fetched from every other without an upstream call, never to another credential, on %s', async (api) => {
    fleet.replicas = await startReplicas(3, fleet.emulator.url, { REDIS_URL: fleet.redis.url, CACHE_TTL_MS: '60000', MODELARTS_API: api });
    await redisState(fleet.replicas, true);
    const [a, b, c] = fleet.replicas.map((r) => r.origin) as [string, string, string];

    const first = await ask(a, QUERY, ALICE);
    expect(first.body.data?.['trainingJobs'].jobs).toHaveLength(5);
    if (api === 'v1') expect(JSON.stringify(first.body)).toContain('"id":"9007199254740993"');
    else expect(fleet.emulator.requests[0]!.method).toBe('POST');
    expect(fleet.emulator.requests).toHaveLength(1);
    // The write to Redis runs behind the answer: wait for it, or b would fetch for itself.
    await vi.waitFor(async () => expect(await fleet.redis.command('KEYS', 'tjg:page:v1:*')).toMatch(/^\*1\r\n/));
    expect((await ask(b, QUERY, ALICE)).body).toEqual(first.body);
    expect((await ask(c, QUERY, ALICE)).body).toEqual(first.body);
    expect(fleet.emulator.requests).toHaveLength(1);
    expect(await metric(c, 'gateway_cache_lookups_total{store="redis",result="hit"}')).toBe(1);
    expect(await metric(c, 'gateway_cache_lookups_total{store="memory",result="miss"}')).toBe(1);
    // Now in c's memory too: no second trip to Redis.
    await ask(c, QUERY, ALICE);
    expect(await metric(c, 'gateway_cache_lookups_total{store="memory",result="hit"}')).toBe(1);

    // Another credential, on any replica, is its own page and its own upstream call.
    expect((await ask(b, QUERY, BOB)).body).toEqual(first.body);
    expect(fleet.emulator.requests).toHaveLength(2);
    expect(fleet.emulator.requests[1]!.headers['x-auth-token']).toBe(BOB);
  }, 60_000);

  it('takes a stored value that is not a page (corrupted, another version) for a miss', async () => {
    fleet.replicas = await startReplicas(3, fleet.emulator.url, { REDIS_URL: fleet.redis.url, CACHE_TTL_MS: '60000' });
    await redisState(fleet.replicas, true);
    const first = await ask(fleet.replicas[0]!.origin, QUERY, ALICE);
    const stored = async () => {
      const keys = await fleet.redis.command('KEYS', 'tjg:page:v1:*');
      expect(keys).toMatch(/^\*1\r\n/);
      return /\r\n(tjg:page:v1:\S+)\r\n/.exec(keys)![1]!;
    };
    // Each of the other replicas meets a bad value (and stores a good one as it fetches for itself).
    for (const [replica, garbage] of [[fleet.replicas[1]!, '{"jobs":"none"}'], [fleet.replicas[2]!, 'not json at all']] as const) {
      await fleet.redis.command('SET', await vi.waitFor(stored), garbage, 'KEEPTTL');
      expect((await ask(replica.origin, QUERY, ALICE)).body).toEqual(first.body);
    }
    expect(fleet.emulator.requests).toHaveLength(3);
  }, 60_000);

  it('keeps no credential in any key, value or channel', async () => {
    fleet.replicas = await startReplicas(2, fleet.emulator.url, {
      REDIS_URL: fleet.redis.url, CACHE_TTL_MS: '60000', RATE_LIMIT_PER_SECOND: '100', LIVE_POLL_MS: '1000',
    });
    await redisState(fleet.replicas, true);
    for (const token of [ALICE, BOB]) for (const r of fleet.replicas) await ask(r.origin, QUERY, token);
    // A live subscription puts a lease, a latest page and a channel in Redis as well.
    const live = await fetch(`${fleet.replicas[0]!.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': ALICE },
      body: JSON.stringify({ query: `subscription ${QUERY}` }),
    });
    const reader = live.body!.getReader();
    await reader.read();

    const client = new Redis(fleet.redis.url);
    try {
      const keys = await vi.waitFor(async () => {
        const keys = await client.keys('*');
        expect(keys.some((k) => k.includes(':page:v1:'))).toBe(true);
        expect(keys.some((k) => k.startsWith('tjg:rate:'))).toBe(true);
        expect(keys.some((k) => k.endsWith(':lease'))).toBe(true);
        return keys;
      });
      expect(keys.every((k) => k.startsWith('tjg:'))).toBe(true);
      const dump: string[] = [...keys, ...((await client.pubsub('CHANNELS', '*')) as string[])];
      for (const key of keys) {
        const type = await client.type(key);
        dump.push(type === 'hash' ? JSON.stringify(await client.hgetall(key)) : ((await client.get(key)) ?? ''));
      }
      const everything = dump.join('\n');
      expect(everything).toContain('"jobs"');
      for (const token of [ALICE, BOB]) {
        expect(everything).not.toContain(token);
        expect(everything).not.toContain(Buffer.from(token).toString('base64'));
      }
    } finally {
      await reader.cancel();
      client.disconnect();
    }
  }, 60_000);
});

describe('fleet-wide rate limits', () => {
  it('admits one caller hammering every replica at the configured rate in total', async () => {
    const [rate, burst] = [2, 5];
    fleet.replicas = await startReplicas(3, fleet.emulator.url, { REDIS_URL: fleet.redis.url, RATE_LIMIT_PER_SECOND: String(rate), RATE_LIMIT_BURST: String(burst) });
    await redisState(fleet.replicas, true);
    const query = '{ trainingJobs(perPage: 1) { totalCount } }';
    // 60 requests at once, spread over the replicas as a load balancer would.
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, n) => ask(fleet.replicas[n % 3]!.origin, query, ALICE).then((a) => a.status)));
    const seconds = (performance.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // The burst, then the rate, for the fleet; a bucket per replica would admit 3 x that.
    expect(admitted).toBeGreaterThanOrEqual(burst);
    expect(admitted).toBeLessThanOrEqual(burst + Math.ceil(rate * seconds));
    // The fleet's bucket is empty for WebSocket upgrades too, on every replica.
    for (const replica of fleet.replicas) {
      const socket = new WebSocket(`${replica.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-auth-token': ALICE } });
      socket.on('error', () => {}); // the refusal, reported once more as the socket closes
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
      expect(response.statusCode).toBe(429);
      socket.terminate();
    }
    // Another caller has a bucket of its own.
    expect((await ask(fleet.replicas[0]!.origin, query, BOB)).status).toBe(200);
  }, 60_000);

  it('keys anonymous callers behind a trusted proxy by their forwarded address, one bucket for the fleet', async () => {
    const [rate, burst] = [1, 3];
    fleet.replicas = await startReplicas(2, fleet.emulator.url, {
      REDIS_URL: fleet.redis.url, RATE_LIMIT_PER_SECOND: String(rate), RATE_LIMIT_BURST: String(burst), TRUST_PROXY: 'loopback',
    });
    await redisState(fleet.replicas, true);
    // The test is the proxy (its peer is the loopback), forwarding for clients without a credential.
    const forwardedFor = (origin: string, forwarded: string) =>
      fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded },
        body: JSON.stringify({ query: '{ __typename }' }),
      }).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      });
    // One client behind the proxy, each request with another forged entry, over both replicas.
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, n) => forwardedFor(fleet.replicas[n % 2]!.origin, `198.51.100.${n}, 203.0.113.1`)));
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(burst);
    expect(admitted).toBeLessThanOrEqual(burst + Math.ceil(rate * seconds));
    // Its bucket is the fleet's, at the WebSocket upgrade too; another client has its own.
    for (const replica of fleet.replicas) {
      const socket = new WebSocket(`${replica.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-forwarded-for': '203.0.113.1' } });
      socket.on('error', () => {});
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
      expect(response.statusCode).toBe(429);
      socket.terminate();
    }
    for (const replica of fleet.replicas) expect(await forwardedFor(replica.origin, '203.0.113.2')).toBe(200);
  }, 60_000);
});

describe('a Redis that is not there', () => {
  it('never holds up start-up: a replica with Redis unreachable serves at once, alone, and says so once', async () => {
    const closed = await freePort();
    const started = performance.now();
    const replica = await startGatewayProcess(fleet.emulator.url, { REDIS_URL: `redis://user:hunter2@127.0.0.1:${closed}`, CACHE_TTL_MS: '60000', LOG_LEVEL: 'info' });
    fleet.replicas = [replica];
    const answer = await ask(replica.origin, QUERY, ALICE);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['trainingJobs'].jobs).toHaveLength(5);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await metric(replica.origin, 'gateway_redis_up')).toBe(0);
    expect(await metric(replica.origin, 'gateway_cache_lookups_total{store="memory",result="miss"}')).toBe(1);
    // Alone, its own cache still works.
    await ask(replica.origin, QUERY, ALICE);
    expect(fleet.emulator.requests).toHaveLength(1);
    expect((await fetch(`${replica.origin}/ready`)).status).toBe(200);
    await vi.waitFor(() => expect(replica.logs.filter((l) => l['redis'] === 'down')).toHaveLength(1), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 1500)); // reconnect attempts go on, silently
    expect(replica.logs.filter((l) => l['redis'] === 'down')).toHaveLength(1);
    expect(await metric(replica.origin, 'gateway_redis_errors_total')).toBeGreaterThan(0);
    const everything = JSON.stringify(replica.logs) + replica.stderr();
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain(String(closed));
    expect(replica.stderr()).toBe('');
  }, 30_000);
});

describe('Redis over TLS', () => {
  it('shares over rediss:// with a password, verifies the certificate, and never logs the password', async () => {
    const secure = await startRedis({ tls: true, password: 's3cret-redis-pw' });
    try {
      const env = { REDIS_URL: secure.url, CACHE_TTL_MS: '60000', LOG_LEVEL: 'info' };
      // Trusting the server's certificate: the fleet shares.
      fleet.replicas = await startReplicas(2, fleet.emulator.url, { ...env, NODE_EXTRA_CA_CERTS: secure.caFile! });
      await redisState(fleet.replicas, true);
      await expectShared(fleet.replicas[0]!, fleet.replicas[1]!, fleet.emulator);
      expect(await metric(fleet.replicas[1]!.origin, 'gateway_cache_lookups_total{store="redis",result="hit"}')).toBe(1);
      // Not trusting it: no connection, and the replica serves alone.
      const doubting = await startGatewayProcess(fleet.emulator.url, env);
      fleet.replicas.push(doubting);
      expect((await ask(doubting.origin, QUERY, ALICE)).status).toBe(200);
      await vi.waitFor(() => expect(doubting.logs.some((l) => l['redis'] === 'down')).toBe(true), { timeout: 5000 });
      expect(await metric(doubting.origin, 'gateway_redis_up')).toBe(0);
      for (const replica of fleet.replicas) {
        expect(JSON.stringify(replica.logs) + replica.stderr()).not.toContain('s3cret-redis-pw');
        expect(replica.stderr()).toBe('');
      }
    } finally {
      await secure.stop();
    }
  }, 60_000);
});
