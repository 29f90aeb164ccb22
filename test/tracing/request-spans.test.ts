/**
 * The span tree of DESIGN.md "OpenTelemetry traces", end to end: a gateway and the emulator on
 * real sockets, the SDK's own exporter sending to a loopback OTLP receiver. Names, kinds,
 * attributes and parent links across the SERVER span, the operation's span and each upstream
 * attempt, on both upstreams; the W3C context in (from the caller) and out (what the emulator
 * received); the cache's event, live polls, logs, and what never appears in an exported byte.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ws, wsClient, sse } from '../support/live.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp.ts';
import { AUTH, startStack, TOKEN, type Stack, type StackOptions } from '../support/stack.ts';
import { UPSTREAMS, type Api } from '../support/upstreams.ts';

const INCOMING_SPAN = '00f067aa0ba902b7';
const TEMPLATE: Record<Api, string> = { v1: '/v1/{project_id}/training-jobs', v2: '/v2/{project_id}/training-job-searches' };
const METHOD: Record<Api, string> = { v1: 'GET', v2: 'POST' };
const PAGE = 'trainingJobs(perPage: 1) { totalCount jobs { id name } }';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

/** A stack exporting every span at once to the receiver. */
function tracedStack(options: StackOptions = {}): Promise<Stack> {
  return startStack({ ...options, tracing: { url: `${receiver.url}/v1/traces`, batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 10, exportTimeoutMs: 2000 }, ...options.tracing } });
}

const ofTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId);

/** The spans of the trace the caller's traceparent started, once `count` of them arrived. */
async function traceOf(traceId: string, count: number): Promise<ReceivedSpan[]> {
  await receiver.waitFor(() => ofTrace(traceId).length >= count);
  return ofTrace(traceId);
}

/** A fresh W3C traceparent, so that each test finds its own trace. */
function traceparent(): { header: string; traceId: string } {
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { header: `00-${traceId}-${INCOMING_SPAN}-01`, traceId };
}

afterEach(() => {
  receiver.mode = 'ok';
});

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await tracedStack({ api, maxAttempts: 2, timeoutMs: 1000 });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.emulator.setFault(null));

  it('makes SERVER > operation > CLIENT of a query, continuing the caller\'s trace into the upstream', async () => {
    stack.emulator.clearRequests();
    const { header, traceId } = traceparent();
    const res = await stack.gql(`query OneJob { ${PAGE} }`, undefined, { ...AUTH, traceparent: header, 'user-agent': 'spans-test/1.0' });
    expect(res.body.errors).toBeUndefined();
    const spans = await traceOf(traceId, 3);
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server).toMatchObject({
      name: 'POST /graphql',
      parentSpanId: INCOMING_SPAN,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'url.path': '/graphql',
        'http.response.status_code': 200,
        'client.address': '127.0.0.1',
        'user_agent.original': 'spans-test/1.0',
      },
    });
    expect(server.attributes).not.toHaveProperty('error.type');
    const [operation] = childrenOf(spans, server);
    expect(operation).toMatchObject({ name: 'query', kind: 'internal', attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'OneJob' } });
    expect(operation!.attributes).not.toHaveProperty('graphql.document');
    const calls = childrenOf(spans, operation!);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    const sent = stack.emulator.requests.at(-1)!;
    expect(call).toMatchObject({
      name: METHOD[api],
      kind: 'client',
      attributes: {
        'http.request.method': METHOD[api],
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(stack.emulator.url).port),
        'url.template': TEMPLATE[api],
        'http.response.status_code': 200,
      },
    });
    // v1's URL with its query string; v2's without its body.
    expect(call!.attributes['url.full']).toBe(`${stack.emulator.url}${sent.path}${sent.query === '' ? '' : `?${sent.query}`}`);
    expect(call!.attributes).not.toHaveProperty('http.request.resend_count');
    // What the emulator received: the CLIENT span's own context, sampled.
    expect(sent.headers['traceparent']).toBe(`00-${traceId}-${call!.spanId}-01`);
    // Children inside their parents.
    expect(operation!.start).toBeGreaterThanOrEqual(server.start);
    expect(call!.end).toBeLessThanOrEqual(operation!.end);
    expect(operation!.end).toBeLessThanOrEqual(server.end);
  });

  it('makes a span per attempt, the retry with its resend count, and the failure with its type', async () => {
    const { header, traceId } = traceparent();
    stack.emulator.setFault({ status: 503, error: { shape: api === 'v2' ? 'v2' : 'apigw', code: 'APIGW.0308' }, times: 1 });
    const res = await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
    expect(res.body.errors).toBeUndefined();
    const spans = await traceOf(traceId, 4);
    const operation = spans.find((s) => s.kind === 'internal')!;
    const [first, second] = childrenOf(spans, operation).sort((a, b) => Number(a.start - b.start));
    expect(first).toMatchObject({ statusCode: 2, attributes: { 'http.response.status_code': 503, 'error.type': '503' } });
    expect(first!.attributes).not.toHaveProperty('http.request.resend_count');
    expect(second).toMatchObject({ statusCode: 0, attributes: { 'http.response.status_code': 200, 'http.request.resend_count': 1 } });
    // Each attempt went out with its own span's context.
    const sent = stack.emulator.requests.slice(-2).map((r) => r.headers['traceparent']);
    expect(sent).toEqual([`00-${traceId}-${first!.spanId}-01`, `00-${traceId}-${second!.spanId}-01`]);
  });

  it('marks a timed-out call UPSTREAM_TIMEOUT and the operation with its error codes', async () => {
    const { header, traceId } = traceparent();
    stack.emulator.setFault({ delayMs: 3000 });
    const res = await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_TIMEOUT');
    const spans = await traceOf(traceId, 3);
    const server = spans.find((s) => s.kind === 'server')!;
    const operation = spans.find((s) => s.kind === 'internal')!;
    const call = spans.find((s) => s.kind === 'client')!;
    expect(call).toMatchObject({ statusCode: 2, attributes: { 'error.type': 'UPSTREAM_TIMEOUT' } });
    expect(call.attributes).not.toHaveProperty('http.response.status_code');
    expect(operation.attributes['tjg.graphql.error_codes']).toEqual(['UPSTREAM_TIMEOUT']);
    // A GraphQL error is a 200: the server span is no failure.
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(server.statusCode).toBe(0);
  });

  it('puts a status group page\'s calls under its operation, one span per call', async () => {
    const { header, traceId } = traceparent();
    const before = stack.emulator.requests.length;
    await stack.gql('{ trainingJobs(statusGroup: FAILED, perPage: 3) { totalCount } }', undefined, { ...AUTH, traceparent: header });
    const made = stack.emulator.requests.length - before;
    // v1 a call per code of the group, v2 one `phase in` call.
    expect(made > 1).toBe(api === 'v1');
    const spans = await traceOf(traceId, 2 + made);
    const operation = spans.find((s) => s.kind === 'internal')!;
    const calls = childrenOf(spans, operation);
    expect(calls).toHaveLength(made);
    expect(new Set(stack.emulator.requests.slice(before).map((r) => r.headers['traceparent']))).toEqual(new Set(calls.map((c) => `00-${traceId}-${c.spanId}-01`)));
  });

  it('puts the counts\' calls under their operation', async () => {
    const { header, traceId } = traceparent();
    await stack.gql('{ trainingJobCounts { total } }', undefined, { ...AUTH, traceparent: header });
    const calls = api === 'v1' ? 24 : 8;
    const spans = await traceOf(traceId, 2 + calls);
    expect(spans.filter((s) => s.kind === 'client')).toHaveLength(calls);
  });

  it('makes one CLIENT span of a call two fields share', async () => {
    const { header, traceId } = traceparent();
    await stack.gql(`{ a: ${PAGE} b: ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
    const spans = await traceOf(traceId, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ofTrace(traceId).filter((s) => s.kind === 'client')).toHaveLength(1);
  });

  it('names a GET request\'s spans by its method, through yoga', async () => {
    const { header, traceId } = traceparent();
    const query = encodeURIComponent(`query ByGet { ${PAGE} }`);
    const res = await fetch(`${stack.origin}/graphql?query=${query}`, { headers: { ...AUTH, accept: 'application/json', 'x-graphql-csrf': '1', traceparent: header } });
    expect(res.status).toBe(200);
    const spans = await traceOf(traceId, 3);
    expect(spans.find((s) => s.kind === 'server')).toMatchObject({ name: 'GET /graphql', attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 } });
    expect(spans.find((s) => s.kind === 'internal')).toMatchObject({ name: 'query', attributes: { 'graphql.operation.name': 'ByGet' } });
  });
});

describe('the page cache', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await tracedStack({ cache: { ttlMs: 60_000 } });
  });
  afterAll(() => stack.close());

  it('marks a page served from memory as an event on the operation, with no CLIENT span', async () => {
    await stack.gql(`{ ${PAGE} }`);
    const { header, traceId } = traceparent();
    await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
    const spans = await traceOf(traceId, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ofTrace(traceId).filter((s) => s.kind === 'client')).toEqual([]);
    expect(spans.find((s) => s.kind === 'internal')!.events).toEqual([{ name: 'cache.hit', attributes: { 'tjg.cache.store': 'memory' } }]);
  });
});

describe('logs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await tracedStack({ timeoutMs: 500 });
  });
  afterAll(() => stack.close());

  it('carry the trace and span ids of the request\'s spans', async () => {
    const { header, traceId } = traceparent();
    stack.emulator.setFault({ status: 500, error: { shape: 'modelarts', code: 'ModelArts.0001' }, times: 1 });
    const res = await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
    const requestId = res.headers.get('x-request-id');
    const spans = await traceOf(traceId, 3);
    const server = spans.find((s) => s.kind === 'server')!;
    const operation = spans.find((s) => s.kind === 'internal')!;
    await expect.poll(() => stack.logs.filter((l) => l['requestId'] === requestId).length).toBe(2);
    const lines = stack.logs.filter((l) => l['requestId'] === requestId);
    expect(lines.find((l) => l['msg'] === 'upstream call failed')).toMatchObject({ trace_id: traceId, span_id: operation.spanId });
    expect(lines.find((l) => l['msg'] === 'request')).toMatchObject({ trace_id: traceId, span_id: server.spanId });
  });
});

describe('live updates', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await tracedStack({ live: { pollMs: 1000 } });
  });
  afterAll(() => stack.close());

  it('ends an SSE request\'s spans at its first event, and polls in traces of their own', async () => {
    const { header, traceId } = traceparent();
    const subscriber = sse(stack.origin, `subscription Watch { ${PAGE} }`, { headers: { ...AUTH, traceparent: header } });
    await subscriber.received(1);
    const spans = await traceOf(traceId, 2);
    expect(spans.find((s) => s.kind === 'server')).toMatchObject({ name: 'POST /graphql', attributes: { 'http.response.status_code': 200 } });
    expect(spans.find((s) => s.kind === 'internal')).toMatchObject({ name: 'subscription', attributes: { 'graphql.operation.type': 'subscription', 'graphql.operation.name': 'Watch' } });
    // The poll is a root of its own trace, its call under it.
    const polls = await receiver.waitFor((all) => all.some((s) => s.name === 'live.poll'));
    const poll = polls.find((s) => s.name === 'live.poll')!;
    expect(poll).toMatchObject({ kind: 'internal', parentSpanId: '', attributes: { 'tjg.live.subscribers': 1 } });
    expect(poll.traceId).not.toBe(traceId);
    await receiver.waitFor((all) => all.some((s) => s.kind === 'client' && s.parentSpanId === poll.spanId));
    subscriber.stop();
  });

  it('ends a WebSocket upgrade\'s span at 101, and gives each subscribe an operation span under it', async () => {
    const { header, traceId } = traceparent();
    const client = wsClient(stack.origin, { 'x-auth-token': TOKEN }, { traceparent: header });
    const subscriber = ws(client, `subscription OverWs { ${PAGE} }`);
    await subscriber.received(1);
    const spans = await traceOf(traceId, 2);
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server).toMatchObject({ name: 'GET /graphql', attributes: { 'http.request.method': 'GET', 'http.response.status_code': 101 } });
    expect(childrenOf(spans, server)).toMatchObject([{ name: 'subscription', attributes: { 'graphql.operation.name': 'OverWs' } }]);
    subscriber.stop();
    await client.dispose();
  });
});

describe('methods', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await tracedStack();
  });
  afterAll(() => stack.close());

  it('names a method outside HTTP\'s own set _OTHER, so that no client mints span names', async () => {
    const { header, traceId } = traceparent();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.origin}/graphql`, { method: 'PROPFIND', headers: { traceparent: header } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject).end();
    });
    expect(status).toBe(403);
    const [server] = await traceOf(traceId, 1);
    expect(server).toMatchObject({
      name: 'HTTP /graphql',
      attributes: { 'http.request.method': '_OTHER', 'http.request.method_original': 'PROPFIND', 'url.scheme': 'http', 'http.response.status_code': 403 },
    });
  });
});

describe('persisted operations', () => {
  const id = 'sha256:5b1b0c4f';
  const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }));
  it.each([
    ['GET with extensions.persistedQuery', `?extensions=${extensions}`, undefined],
    ['POST with documentId', '', JSON.stringify({ documentId: id })],
  ])('names the id an operation was run by: %s', async (_how, search, body) => {
    const stack = await tracedStack({ persisted: { manifest: new Map([[id, `query Persisted { ${PAGE} }`]]), mode: 'allowlist' } });
    try {
      const { header, traceId } = traceparent();
      const headers = { ...AUTH, accept: 'application/json', 'content-type': 'application/json', 'x-graphql-csrf': '1', traceparent: header };
      const res = await fetch(`${stack.origin}/graphql${search}`, { method: body === undefined ? 'GET' : 'POST', headers, body });
      expect(res.status).toBe(200);
      const spans = await traceOf(traceId, 3);
      expect(spans.find((s) => s.kind === 'internal')!.attributes).toMatchObject({ 'tjg.persisted_id': id, 'graphql.operation.name': 'Persisted' });
    } finally {
      await stack.close();
    }
  });
});

describe('sampling', () => {
  it('always_off exports nothing, yet sends the trace upstream unsampled', async () => {
    const stack = await tracedStack({ tracing: { sampler: { name: 'always_off', ratio: 1 } } });
    try {
      const { header, traceId } = traceparent();
      await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
      await stack.gql(`{ ${PAGE} }`);
      const [continued, started] = stack.emulator.requests.slice(-2).map((r) => r.headers['traceparent']);
      expect(continued).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
      expect(started).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ofTrace(traceId)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('parentbased_traceidratio 0 keeps the traces a caller sampled, and starts none of its own', async () => {
    const stack = await tracedStack({ tracing: { sampler: { name: 'parentbased_traceidratio', ratio: 0 } } });
    try {
      const before = receiver.spans.length;
      await stack.gql(`{ ${PAGE} }`);
      const { header, traceId } = traceparent();
      await stack.gql(`{ ${PAGE} }`, undefined, { ...AUTH, traceparent: header });
      await traceOf(traceId, 3);
      expect(receiver.spans.slice(before).every((s) => s.traceId === traceId)).toBe(true);
      expect(stack.emulator.requests.at(-1)!.headers['traceparent']).toMatch(/-01$/);
    } finally {
      await stack.close();
    }
  });
});

describe('secrets', () => {
  const SECRET_TOKEN = 'MIIZ-span-secret-token-0123456789';
  const AK = 'QTWAOYTTINDUT2QVKYUC';
  const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

  /** Every byte every export carried, as text. */
  const exported = () => receiver.exports.map((e) => e.body.toString('latin1')).join('\n');

  const cases: Array<[string, StackOptions, Record<string, string>, string[]]> = [
    ['a passthrough token and a cookie', {}, { 'x-auth-token': SECRET_TOKEN, cookie: `session=${SECRET_TOKEN}` }, [SECRET_TOKEN]],
    ['a Bearer token', {}, { authorization: `Bearer ${SECRET_TOKEN}` }, [SECRET_TOKEN]],
    ['AK/SK with a security token', { tokens: { mode: 'aksk' }, aksk: { ak: AK, sk: SK, securityToken: SECRET_TOKEN }, emulator: { aksk: { ak: AK, sk: SK } } }, {}, [AK, SK, SECRET_TOKEN, 'SDK-HMAC-SHA256', 'Signature=']],
  ];
  it.each(['http/protobuf', 'http/json'] as const)('never exports a credential over %s', async (protocol) => {
    for (const [what, options, headers, secrets] of cases) {
      receiver.exports.length = 0;
      const stack = await tracedStack({ ...options, api: 'v2', tracing: { protocol } });
      try {
        const { header, traceId } = traceparent();
        const res = await stack.gql(`{ ${PAGE} }`, undefined, { ...headers, traceparent: header });
        expect(res.body.errors, what).toBeUndefined();
        await traceOf(traceId, 3);
        const text = exported();
        expect(text).toContain('POST /graphql');
        for (const secret of secrets) expect(text, what).not.toContain(secret);
        // Nor the headers that carry them, under any name.
        expect(text.toLowerCase(), what).not.toContain('authorization');
        expect(text.toLowerCase(), what).not.toContain('x-auth-token');
        expect(text.toLowerCase(), what).not.toContain('cookie');
      } finally {
        await stack.close();
      }
    }
  });
});
