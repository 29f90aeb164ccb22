/**
 * The edges of DESIGN.md "Edges", each over real sockets: the CSRF refusal carries
 * `extensions.code` BAD_REQUEST like every other error; both SSE writers (the fast path's and
 * yoga's, written by yoga or relayed by the fast path) send `Cache-Control: no-cache,
 * no-transform` and no Content-Encoding, compression on or off; gateway_live_events_total counts
 * the events a client was sent, not those dropped for a reader that does not keep up.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const LIVE = 'subscription { trainingJobs(perPage: 2) { totalCount jobs { id } } }';

describe('the CSRF refusal', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['a GET without x-graphql-csrf', () => fetch(`${stack.origin}/graphql?query=%7B__typename%7D`, { headers: { 'x-request-id': 'csrf-get', ...AUTH } }), 'csrf-get'],
    ['a form POST', () => fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'csrf-form', ...AUTH },
      body: 'query=%7B__typename%7D',
    }), 'csrf-form'],
  ])('answers %s 403 with BAD_REQUEST, logged and counted as such', async (_what, send, requestId) => {
    const res = await send();
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors).toEqual([{ message: expect.stringMatching(/CSRF/), extensions: { code: 'BAD_REQUEST', requestId } }]);
    const line = await vi.waitFor(() => {
      const found = stack.logs.find((l) => l['msg'] === 'request' && l['requestId'] === requestId);
      if (found === undefined) throw new Error('no request line');
      return found;
    });
    expect(line).toMatchObject({ status: 403, errorCode: 'BAD_REQUEST' });
  });
});

describe('SSE answers', () => {
  let stack: Stack;
  let plain: Stack;
  beforeAll(async () => {
    [stack, plain] = await Promise.all([startStack(), startStack({ compression: { encodings: [], minBytes: 4096 } })]);
  });
  afterAll(() => Promise.all([stack.close(), plain.close()]));

  /** The head of an event stream, read until its first event. */
  function head(s: Stack, method: 'GET' | 'POST', params: Record<string, unknown>) {
    const headers = { accept: 'text/event-stream', 'accept-encoding': 'gzip, br', 'x-graphql-csrf': '1', 'content-type': 'application/json', ...AUTH };
    const path = method === 'GET' ? `/graphql?query=${encodeURIComponent(params['query'] as string)}` : '/graphql';
    return new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = request(`${s.origin}${path}`, { method, headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (!text.includes('event: next')) return;
          resolve({ headers: res.headers, text });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.end(method === 'POST' ? JSON.stringify(params) : undefined);
    });
  }

  it.each([
    ['the fast path\'s writer (a JSON POST)', 'POST', { query: LIVE }],
    ['yoga\'s writer (a GET)', 'GET', { query: LIVE }],
    ['yoga\'s writer relayed by the fast path (a POST with extensions)', 'POST', { query: LIVE, extensions: {} }],
    ['yoga\'s writer for a query over SSE', 'GET', { query: '{ trainingJobs(perPage: 1) { totalCount } }' }],
  ] as const)('%s: no-cache, no-transform and no Content-Encoding, compression on and off', async (_what, method, params) => {
    for (const s of [stack, plain]) {
      const first = await head(s, method, params);
      expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(first.headers['cache-control']).toBe('no-cache, no-transform');
      expect(first.headers).not.toHaveProperty('content-encoding');
      expect(first.text).toContain('"totalCount"');
    }
  });
});

describe('gateway_live_events_total', () => {
  const EPOCH = Date.UTC(2026, 10, 1);
  let now = EPOCH;
  let stack: Stack;
  beforeAll(async () => {
    // Aliases enough for events of half a megabyte, which fill the socket's buffers in a few dozen.
    const limits = { maxDepth: 8, maxAliases: 1000, maxDirectives: 20, maxCost: 10_000_000 };
    stack = await startStack({ emulator: { motion: { clock: () => now, epoch: EPOCH } }, live: { pollMs: 20 }, limits });
  });
  afterAll(() => stack.close());

  const eventsTotal = async () => {
    const text = await (await fetch(`${stack.origin}/metrics`)).text();
    return Number(/^gateway_live_events_total (\d+)$/m.exec(text)![1]);
  };
  const count = (text: string) => text.split('event: next').length - 1;

  it('counts what a reader that stopped reading was sent, not every page polled meanwhile', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `n${i}: name`).join(' ');
    const big = `subscription { trainingJobs(perPage: 100) { totalCount jobs { id duration ${names} } } }`;
    let text = '';
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...AUTH }, agent: false }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ query: big }));
    });
    res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await vi.waitFor(() => expect(count(text)).toBe(1));
    // The reader stops; the data moves on every poll for a while.
    res.pause();
    stack.emulator.clearRequests();
    const moving = setInterval(() => (now += 1000), 5);
    await vi.waitFor(() => expect(stack.emulator.requests.length).toBeGreaterThan(120), { timeout: 20_000 });
    clearInterval(moving);
    const polled = stack.emulator.requests.length;
    // It reads again, and gets what was written, then the latest page.
    res.resume();
    let seen = -1;
    await vi.waitFor(async () => {
      const received = count(text);
      const total = await eventsTotal();
      if (received !== seen) {
        seen = received;
        throw new Error('still arriving');
      }
      expect(total).toBe(received);
    }, { timeout: 15_000, interval: 300 });
    // Pages were dropped (some polls may find the page of the one before: fewer, never more).
    expect(seen).toBeLessThan(polled);
    expect(seen).toBeGreaterThan(1);
    res.destroy();
  }, 40_000);
});
