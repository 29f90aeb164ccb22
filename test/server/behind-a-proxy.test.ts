/**
 * TRUST_PROXY end to end (DESIGN.md "Client addresses behind proxies"), over real sockets. The
 * test's own peer is 127.0.0.1: trusting the loopback makes the test the proxy, and its
 * X-Forwarded-For names the callers. Callers without a credential are keyed by that address in
 * the rate limits (HTTP and the WebSocket upgrade) and the live limits (SSE on the fast path
 * and on yoga, WebSocket operations), and it is the request log's `remote`. Without
 * TRUST_PROXY, a forged header buys nothing.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { sse, ws, wsClient } from '../support/live.ts';
import { startStack, type Stack } from '../support/stack.ts';

const QUERY = '{ __typename }';
const LIVE = 'subscription { trainingJobs(perPage: 2) { totalCount } }';

/** A POST without a credential (so the caller is its address), as a proxy would forward it. */
async function post(stack: Stack, forwarded: string | undefined, requestId?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwarded !== undefined) headers['x-forwarded-for'] = forwarded;
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  const res = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: QUERY }) });
  await res.arrayBuffer();
  return res.status;
}

/** The status a WebSocket upgrade gets: 101 when it opens (then closed at once). */
function upgrade(stack: Stack, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${stack.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    socket.on('error', () => {});
  });
}

/** The `request` log line of a request id. */
const requestLine = (stack: Stack, requestId: string) =>
  vi.waitFor(() => {
    const line = stack.logs.find((l) => l['msg'] === 'request' && l['requestId'] === requestId);
    if (line === undefined) throw new Error(`no request line for ${requestId}`);
    return line;
  });

const codes = (result: { errors?: Array<{ extensions?: Record<string, unknown> }> } | undefined) =>
  result?.errors?.map((e) => e.extensions?.['code']);

// A bucket of two that refills in minutes: the third request of a caller within a test is refused.
const RATE = { perSecond: 0.01, burst: 2 };

describe('behind a trusted proxy', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ rateLimit: RATE, trustProxy: ['loopback'] });
  });
  afterAll(() => stack.close());

  it('gives each forwarded client its own rate bucket', async () => {
    expect([await post(stack, '203.0.113.1'), await post(stack, '203.0.113.1'), await post(stack, '203.0.113.1')]).toEqual([200, 200, 429]);
    expect(await post(stack, '203.0.113.2')).toBe(200);
    // The proxy's own requests (probes, say) are a caller of their own.
    expect(await post(stack, undefined)).toBe(200);
  });

  it('keys a client by the address its proxy appended, not one it forged', async () => {
    for (const forged of ['198.51.100.1', '198.51.100.2']) expect(await post(stack, `${forged}, 203.0.113.3`)).toBe(200);
    expect(await post(stack, '203.0.113.3')).toBe(429);
  });

  it('takes a malformed header for none: the proxy is the caller', async () => {
    // The loopback's bucket of two: one spent by the request without a header above.
    expect(await post(stack, 'unknown', 'malformed-1')).toBe(200);
    expect((await requestLine(stack, 'malformed-1'))['remote']).toBe('127.0.0.1');
    expect(await post(stack, '203.0.113.4:443', 'malformed-2')).toBe(429);
    expect((await requestLine(stack, 'malformed-2'))['remote']).toBe('127.0.0.1');
    expect(await post(stack, '[2001:db8::4]')).toBe(429);
    expect(await post(stack, '203.0.113.4')).toBe(200);
  });

  it('writes the resolved address as the log line\'s remote, IPv6 included', async () => {
    await post(stack, '198.51.100.9, 203.0.113.5', 'remote-v4');
    expect(await requestLine(stack, 'remote-v4')).toMatchObject({ remote: '203.0.113.5', status: 200 });
    await post(stack, '2001:db8::5', 'remote-v6');
    expect(await requestLine(stack, 'remote-v6')).toMatchObject({ remote: '2001:db8::5' });
  });

  it('reads several X-Forwarded-For lines as one list', async () => {
    const { port } = new URL(stack.origin);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        const body = JSON.stringify({ query: QUERY });
        socket.end([
          'POST /graphql HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'X-Request-Id: two-lines',
          'X-Forwarded-For: 198.51.100.10', 'X-Forwarded-For: 203.0.113.6', `Content-Length: ${body.length}`, 'Connection: close', '', body,
        ].join('\r\n'));
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect((await requestLine(stack, 'two-lines'))['remote']).toBe('203.0.113.6');
  });

  it('keys the WebSocket upgrade by the forwarded address, in the same bucket as HTTP', async () => {
    expect(await post(stack, '203.0.113.7')).toBe(200);
    expect(await upgrade(stack, { 'x-forwarded-for': '203.0.113.7' })).toBe(101);
    expect(await upgrade(stack, { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
    expect(await upgrade(stack, { 'x-forwarded-for': '198.51.100.1, 203.0.113.8' })).toBe(101);
    expect(await upgrade(stack, { 'x-forwarded-for': '198.51.100.2, 203.0.113.8' })).toBe(101);
    expect(await upgrade(stack, { 'x-forwarded-for': '198.51.100.3, 203.0.113.8' })).toBe(429);
  });
});

describe('with no proxy trusted', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ rateLimit: RATE });
  });
  afterAll(() => stack.close());

  it('never lets a forged X-Forwarded-For buy a fresh bucket, over HTTP or at the upgrade', async () => {
    expect(await post(stack, '203.0.113.1', 'forged-1')).toBe(200);
    expect(await post(stack, '203.0.113.2')).toBe(200);
    expect(await post(stack, '203.0.113.3')).toBe(429);
    expect(await upgrade(stack, { 'x-forwarded-for': '203.0.113.4' })).toBe(429);
    expect((await requestLine(stack, 'forged-1'))['remote']).toBe('127.0.0.1');
  });
});

describe('live limits of callers without a credential', () => {
  // The gateway's own token (token mode): callers send none, and count by address.
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tokens: { mode: 'token', token: 'gateway-token' }, trustProxy: ['127.0.0.1'], live: { maxPerCaller: 1 } });
  });
  afterAll(() => stack.close());

  it('counts SSE subscriptions on the fast path per forwarded address', async () => {
    const first = sse(stack.origin, LIVE, { headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(codes((await first.received(1))[0])).toBeUndefined();
    const second = sse(stack.origin, LIVE, { headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(codes((await second.received(1))[0])).toEqual(['RATE_LIMITED']);
    const other = sse(stack.origin, LIVE, { headers: { 'x-forwarded-for': '203.0.113.2' } });
    expect(codes((await other.received(1))[0])).toBeUndefined();
    for (const s of [first, second, other]) s.stop();
    await vi.waitFor(() => expect(stack.live.subscriptions).toBe(0));
  });

  it('counts SSE subscriptions through yoga per forwarded address (a GET)', async () => {
    const get = (forwarded: string) => {
      const controller = new AbortController();
      const response = fetch(`${stack.origin}/graphql?query=${encodeURIComponent(LIVE)}`, {
        headers: { accept: 'text/event-stream', 'x-graphql-csrf': '1', 'x-forwarded-for': forwarded },
        signal: controller.signal,
      });
      const first = response.then(async (res) => {
        const reader = res.body!.getReader();
        let text = '';
        while (!text.includes('event: next')) text += new TextDecoder().decode((await reader.read()).value);
        return JSON.parse(/^data: (.*)$/m.exec(text.slice(text.indexOf('event: next')))![1]!);
      });
      return { first, stop: () => controller.abort() };
    };
    const a = get('203.0.113.3');
    expect(codes(await a.first)).toBeUndefined();
    const again = get('203.0.113.3');
    expect(codes(await again.first)).toEqual(['RATE_LIMITED']);
    const b = get('203.0.113.4');
    expect(codes(await b.first)).toBeUndefined();
    for (const s of [a, again, b]) s.stop();
    await vi.waitFor(() => expect(stack.live.subscriptions).toBe(0));
  });

  it('counts WebSocket subscriptions by the address their upgrade was forwarded for', async () => {
    const clients = ['203.0.113.5', '203.0.113.5', '203.0.113.6'].map((address) => wsClient(stack.origin, {}, { 'x-forwarded-for': address }));
    const [first, second, other] = clients.map((client) => ws(client, LIVE));
    expect(codes((await first!.received(1))[0])).toBeUndefined();
    expect(codes((await second!.received(1))[0])).toEqual(['RATE_LIMITED']);
    expect(codes((await other!.received(1))[0])).toBeUndefined();
    const line = await vi.waitFor(() => {
      const found = stack.logs.find((l) => l['msg'] === 'request' && l['method'] === 'WS' && l['errorCode'] === 'RATE_LIMITED');
      if (found === undefined) throw new Error('no line for the refused operation');
      return found;
    });
    expect(line['remote']).toBe('203.0.113.5');
    for (const s of [first, other]) s!.stop();
    await Promise.all(clients.map((c) => c.dispose()));
  });
});
