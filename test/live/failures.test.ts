/**
 * Subscriptions when things go wrong (DESIGN.md "Live updates"): transient upstream failures
 * are silent and back off; permanent ones send one error and end every stream of the key; bad
 * arguments and missing credentials are refused before any upstream call; limits, a foreign
 * Origin, operation limits; and a client that vanishes leaves nothing behind.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { rawWs, sse, ws, wsClient } from '../support/live.ts';
import { AUTH, startStack, type Stack, type StackOptions } from '../support/stack.ts';
import { UPSTREAMS } from '../support/upstreams.ts';

const LIVE = 'subscription { trainingJobs(perPage: 2) { totalCount jobs { id } } }';
const EPOCH = Date.UTC(2026, 10, 1);

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});
const start = async (options: StackOptions = {}) => (stack = await startStack({ maxAttempts: 1, ...options }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const codes = (result: { errors?: Array<{ extensions?: Record<string, any> }> } | undefined) =>
  result?.errors?.map((e) => e.extensions?.['code']);

describe.each(UPSTREAMS)('on %s', (api) => {
  describe('transient failures', () => {
    it('send nothing, back off, and resume with the next change', async () => {
      let now = EPOCH;
      const s = await start({ api, emulator: { motion: { clock: () => now, epoch: EPOCH } }, live: { pollMs: 100, maxBackoffMs: 800 } });
      const subscriber = sse(s.origin, LIVE.replace('perPage: 2', 'perPage: 2, status: RUNNING') + '', { headers: AUTH });
      await subscriber.received(1);
      s.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' } });
      s.emulator.clearRequests();
      now += 1000; // a change the gateway cannot see while the upstream fails
      await sleep(1600);
      // Waits of 200, 400, 800, 800 ms: about five calls, where a steady 100 ms would make sixteen.
      expect(s.emulator.requests.length).toBeGreaterThanOrEqual(3);
      expect(s.emulator.requests.length).toBeLessThanOrEqual(7);
      expect(subscriber.results).toHaveLength(1);
      expect(subscriber.completed).toBe(false);

      s.emulator.setFault(null);
      const [, next] = await subscriber.received(2, 3000);
      expect(next?.errors).toBeUndefined();
      // Back to the normal interval after a success.
      s.emulator.clearRequests();
      await sleep(500);
      expect(s.emulator.requests.length).toBeGreaterThanOrEqual(3);
      subscriber.stop();
    });

    it.each([
      ['503', { status: 503, error: { shape: 'apigw' as const, code: 'APIGW.0202' } }, 'UPSTREAM_UNAVAILABLE'],
      ['500', { status: 500, error: { shape: 'modelarts' as const, code: 'ModelArts.0010' } }, 'UPSTREAM_ERROR'],
      ['429', { status: 429, error: { shape: 'apigw' as const, code: 'APIGW.0308' } }, 'RATE_LIMITED'],
    ])('end a stream with the error when they come first (%s)', async (_status, fault, code) => {
      const s = await start({ api, live: { pollMs: 100 } });
      s.emulator.setFault(fault);
      const subscriber = sse(s.origin, LIVE, { headers: AUTH });
      await subscriber.done;
      expect(subscriber.results).toHaveLength(1);
      expect(subscriber.results[0]).toMatchObject({ data: { trainingJobs: null } });
      expect(codes(subscriber.results[0])).toEqual([code]);
      expect(subscriber.completed).toBe(true);
      await vi.waitFor(() => expect(s.live.pollers).toBe(0));
    });
  });

  describe('permanent failures', () => {
    it.each([
      [401, 'apigw' as const, 'APIGW.0301', 'UNAUTHENTICATED'],
      [403, 'modelarts' as const, 'ModelArts.0108', 'FORBIDDEN'],
      [404, 'apigw' as const, 'ModelArts.2786', 'NOT_FOUND'],
      [400, 'v1' as const, 'ModelArts.0101', 'BAD_USER_INPUT'],
    ])('send one error to every subscriber of the key and end the streams (%i)', async (status, shape, upstreamCode, code) => {
      const s = await start({ api, live: { pollMs: 100 } });
      const overSse = sse(s.origin, LIVE, { headers: AUTH });
      const client = wsClient(s.origin, AUTH);
      const overWs = ws(client, LIVE);
      await Promise.all([overSse.received(1), overWs.received(1)]);
      expect(s.live.pollers).toBe(1);
      s.emulator.setFault({ status, error: { shape, code: upstreamCode } });
      await Promise.all([overSse.done, overWs.done]);
      for (const subscriber of [overSse, overWs]) {
        expect(subscriber.results).toHaveLength(2);
        expect(subscriber.results[1]).toMatchObject({ data: { trainingJobs: null } });
        expect(codes(subscriber.results[1])).toEqual([code]);
        expect(subscriber.results[1]?.errors?.[0]?.extensions?.['upstream']).toMatchObject({ httpStatus: status, errorCode: upstreamCode });
        expect(subscriber.completed).toBe(true);
      }
      expect(s.live.pollers).toBe(0);
      expect(s.live.subscriptions).toBe(0);
      const calls = s.emulator.requests.length;
      await sleep(300);
      expect(s.emulator.requests.length).toBe(calls);
      await client.dispose();
    });
  });
});

describe('refused before any upstream call', () => {
  it.each([
    ['perPage out of range', 'subscription { trainingJobs(perPage: 0) { totalCount } }', AUTH, 'BAD_USER_INPUT'],
    ['a search too long', `subscription { trainingJobs(search: "${'x'.repeat(65)}") { totalCount } }`, AUTH, 'BAD_USER_INPUT'],
    ['no credential', LIVE, {}, 'UNAUTHENTICATED'],
  ])('%s, over SSE and WebSocket', async (_what, query, headers, code) => {
    const s = await start();
    const overSse = sse(s.origin, query, { headers });
    const client = wsClient(s.origin, headers);
    const overWs = ws(client, query);
    await Promise.all([overSse.done, overWs.done]);
    for (const subscriber of [overSse, overWs]) {
      expect(subscriber.results).toHaveLength(1);
      expect(subscriber.results[0]).toMatchObject({ data: { trainingJobs: null } });
      expect(codes(subscriber.results[0])).toEqual([code]);
      expect(subscriber.completed).toBe(true);
    }
    expect(s.emulator.requests).toHaveLength(0);
    await client.dispose();
  });

  it('answers 406 to a subscription that asks for plain JSON, and starts no poller', async () => {
    const s = await start();
    const res = await fetch(`${s.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH },
      body: JSON.stringify({ query: LIVE }),
    });
    expect(res.status).toBe(406);
    expect(res.headers.get('accept')).toBe('text/event-stream');
    await sleep(100);
    expect(s.live.subscriptions).toBe(0);
    expect(s.live.pollers).toBe(0);
    expect(s.emulator.requests).toHaveLength(0);
  });

  it('applies the operation limits to subscriptions, over SSE and WebSocket', async () => {
    const s = await start({ limits: { maxDepth: 8, maxAliases: 1, maxDirectives: 20, maxCost: 5000 } });
    const aliased = 'subscription { trainingJobs { a: totalCount b: totalCount } }';
    const overSse = sse(s.origin, aliased, { headers: AUTH });
    await overSse.done;
    expect(codes(overSse.results[0])).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const client = wsClient(s.origin, AUTH);
    await expect(ws(client, aliased).done).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
    expect(s.emulator.requests).toHaveLength(0);
    await client.dispose();
  });
});

describe('limits', () => {
  it('refuses a caller over LIVE_MAX_PER_CALLER with RATE_LIMITED, and admits it again once one leaves', async () => {
    const s = await start({ live: { maxPerCaller: 2 } });
    const mine = [sse(s.origin, LIVE, { headers: AUTH }), sse(s.origin, LIVE.replace('2', '3'), { headers: AUTH })];
    await Promise.all(mine.map((m) => m.received(1)));
    const third = sse(s.origin, LIVE, { headers: AUTH });
    await third.done;
    expect(codes(third.results[0])).toEqual(['RATE_LIMITED']);
    expect(third.completed).toBe(true);
    // Another caller is not affected.
    const other = sse(s.origin, LIVE, { headers: { 'x-auth-token': 'someone-else' } });
    expect(codes((await other.received(1))[0])).toBeUndefined();
    mine[0]!.stop();
    await vi.waitFor(() => expect(s.live.subscriptions).toBe(2));
    const again = sse(s.origin, LIVE, { headers: AUTH });
    expect(codes((await again.received(1))[0])).toBeUndefined();
    for (const m of [mine[1]!, other, again]) m.stop();
  });

  it('refuses anyone over LIVE_MAX_SUBSCRIPTIONS', async () => {
    const s = await start({ live: { maxSubscriptions: 2 } });
    const open = [sse(s.origin, LIVE, { headers: { 'x-auth-token': 'a' } }), sse(s.origin, LIVE, { headers: { 'x-auth-token': 'b' } })];
    await Promise.all(open.map((o) => o.received(1)));
    const client = wsClient(s.origin, { 'x-auth-token': 'c' });
    const refused = ws(client, LIVE);
    await refused.done;
    expect(codes(refused.results[0])).toEqual(['RATE_LIMITED']);
    for (const o of open) o.stop();
    await client.dispose();
  });
});

describe('the WebSocket upgrade', () => {
  const upgrade = (origin: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      socket.on('error', () => {});
    });

  it('refuses a foreign Origin with 403 and admits an allowed one, or none', async () => {
    const s = await start({ corsOrigins: ['https://app.example.com'] });
    expect(await upgrade(s.origin, { origin: 'https://evil.example.com' })).toBe(403);
    expect(await upgrade(s.origin, { origin: 'https://app.example.com' })).toBe(101);
    expect(await upgrade(s.origin, {})).toBe(101);
  });

  it('refuses a caller over its request rate with 429, and other paths with 404', async () => {
    const s = await start({ rateLimit: { perSecond: 1, burst: 1 } });
    expect(await upgrade(s.origin, AUTH)).toBe(101);
    expect(await upgrade(s.origin, AUTH)).toBe(429);
    const other = new WebSocket(`${s.origin.replace('http', 'ws')}/elsewhere`, 'graphql-transport-ws');
    const status = await new Promise((resolve) => other.on('unexpected-response', (_req, res) => resolve(res.statusCode)).on('error', () => {}));
    expect(status).toBe(404);
  });
});

describe('a client that vanishes', () => {
  it('mid-stream over SSE (socket destroyed) leaves no subscription, poller or call behind', async () => {
    const s = await start({ live: { pollMs: 100 } });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${s.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...AUTH } });
      req.on('response', (res) => {
        res.on('data', (chunk: Buffer) => {
          if (!chunk.toString().includes('event: next')) return;
          req.socket?.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      req.end(JSON.stringify({ query: LIVE }));
      setTimeout(() => reject(new Error('no event')), 5000);
    });
    await leavesNothingBehind(s);
  });

  it('mid-stream over WebSocket (no close frame) leaves no subscription, poller or call behind', async () => {
    const s = await start({ live: { pollMs: 100 } });
    const conversation = rawWs(s.origin, LIVE, AUTH);
    await vi.waitFor(() => expect(conversation.nexts()).toHaveLength(1));
    conversation.socket.terminate();
    await conversation.closed;
    await leavesNothingBehind(s);
  });

  async function leavesNothingBehind(s: Stack) {
    await vi.waitFor(() => expect(s.live.subscriptions).toBe(0));
    expect(s.live.pollers).toBe(0);
    await vi.waitFor(() => expect(s.gateway.telemetry.inFlight()).toBe(0));
    await sleep(150);
    const calls = s.emulator.requests.length;
    await sleep(300);
    expect(s.emulator.requests.length).toBe(calls);
  }
});
