/**
 * What operators see, over real sockets: /metrics (Prometheus text, bounded labels), one log
 * line per request, and request ids from the client's header to the upstream, the response,
 * the log and every error's extensions.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const JOBS = 'query Jobs { trainingJobs(perPage: 2) { totalCount jobs { id } } }';

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(stack: Stack) {
  const res = await fetch(`${stack.origin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** Every label value in a scrape. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/[a-z_]+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}

/** The `request` log line of a request id, once its response has closed. */
async function requestLine(stack: Stack, requestId: string) {
  return vi.waitFor(() => {
    const line = stack.logs.find((l) => l['msg'] === 'request' && l['requestId'] === requestId);
    if (!line) throw new Error(`no request line for ${requestId}`);
    return line;
  });
}

describe('GET /metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ timeoutMs: 2000 });
  });
  afterAll(() => stack.close());

  it('counts GraphQL requests by operation and outcome, and times them', async () => {
    expect((await stack.gql(JOBS)).body.errors).toBeUndefined();
    expect((await stack.gql(JOBS)).body.errors).toBeUndefined();
    expect((await stack.gql('{ trainingJobs(perPage: 0) { totalCount } }')).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await stack.gql('{ nope }')).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await stack.gql(JOBS, undefined, {})).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const text = await vi.waitFor(async () => {
      const t = await scrape(stack);
      expect(sample(t, 'gateway_graphql_request_duration_seconds_count{operation="Jobs"}')).toBe(3);
      return t;
    });
    expect(sample(text, 'gateway_graphql_requests_total{operation="Jobs",outcome="ok"}')).toBe(2);
    expect(sample(text, 'gateway_graphql_requests_total{operation="Jobs",outcome="UNAUTHENTICATED"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="anonymous",outcome="BAD_USER_INPUT"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="anonymous",outcome="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_bucket{le="+Inf",operation="Jobs"}')).toBe(3);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_sum{operation="Jobs"}')).toBeGreaterThan(0);
  });

  it('counts upstream calls by outcome, with their retries and latency', async () => {
    const before = await scrape(stack);
    stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 3 });
    expect((await stack.gql('{ trainingJobs(perPage: 3) { totalCount } }')).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' }, times: 1 });
    expect((await stack.gql('{ trainingJobs(perPage: 4) { totalCount } }')).body.errors).toBeUndefined();
    stack.emulator.setFault(null);
    const after = await scrape(stack);

    const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('gateway_upstream_calls_total{outcome="UPSTREAM_UNAVAILABLE"}')).toBe(1);
    expect(delta('gateway_upstream_calls_total{outcome="ok"}')).toBe(1);
    expect(delta('gateway_upstream_retries_total')).toBe(3); // 2 for the failed call, 1 for the other
    expect(delta('gateway_upstream_call_duration_seconds_count{outcome="ok"}')).toBe(1);
    expect(delta('gateway_upstream_call_duration_seconds_count{outcome="UPSTREAM_UNAVAILABLE"}')).toBe(1);
    expect(delta('gateway_graphql_requests_total{operation="anonymous",outcome="UPSTREAM_UNAVAILABLE"}')).toBe(1);
  });

  it('reports requests in flight, process metrics and no cache metrics while the cache is off', async () => {
    const text = await scrape(stack);
    expect(sample(text, 'gateway_http_requests_in_flight')).toBe(1); // this scrape
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    }
    expect(text).not.toContain('gateway_cache_lookups_total');
  });

  it('keeps label values bounded, and free of credentials and user input', async () => {
    const names = Array.from({ length: 130 }, (_, i) => `Op${i}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((name) => stack.gql(`query ${name} { __typename }`)));
    }
    await stack.gql(`query ${'L'.repeat(200)} { __typename }`);
    await stack.gql('{ trainingJobs(search: "secret-search-text") { totalCount } }', undefined, { 'x-auth-token': 'secret-token-value' });
    const text = await vi.waitFor(async () => {
      const t = await scrape(stack);
      // 100 names have series: Jobs (above) and Op0..Op98; Op99..Op129 and the long one do not.
      expect(sample(t, 'gateway_graphql_requests_total{operation="other",outcome="ok"}')).toBe(32);
      return t;
    });
    const operations = new Set(labelValues(text.split('\n').filter((l) => l.startsWith('gateway_graphql_requests_total')).join('\n')));
    expect(operations.size).toBeLessThanOrEqual(100 + 10); // 100 names, the reserved ones and the outcomes
    expect(text).not.toContain('secret-search-text');
    expect(text).not.toContain('secret-token-value');
    expect(text).not.toContain('L'.repeat(65));
    for (const value of labelValues(text)) expect(value).toMatch(/^[A-Za-z0-9_.+:/ -]*$/);
  });

  it('answers HEAD without a body, and is not a GraphQL request', async () => {
    const res = await fetch(`${stack.origin}/metrics`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await scrape(stack)).not.toMatch(/operation="none",outcome="HTTP_/);
  });
});

it('counts cache hits and misses when the cache is on', async () => {
  const stack = await startStack({ cache: { ttlMs: 60_000 } });
  try {
    await stack.gql(JOBS);
    await stack.gql(JOBS);
    await stack.gql(JOBS);
    const text = await scrape(stack);
    expect(sample(text, 'gateway_cache_lookups_total{store="memory",result="miss"}')).toBe(1);
    expect(sample(text, 'gateway_cache_lookups_total{store="memory",result="hit"}')).toBe(2);
    expect(sample(text, 'gateway_upstream_calls_total{outcome="ok"}')).toBe(1);
    const [, second] = stack.logs.filter((l) => l['msg'] === 'request' && l['operation'] === 'Jobs');
    expect(second?.['upstream']).toEqual({ calls: 0, attempts: 0, cached: 1, outcome: undefined });
  } finally {
    await stack.close();
  }
});

describe('the request log', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ timeoutMs: 2000, maxRequestBytes: 2048 });
  });
  afterAll(() => stack.close());

  it('writes one line per request: id, operation, duration, upstream calls and outcome', async () => {
    await stack.gql(JOBS, undefined, { ...AUTH, 'x-request-id': 'log-ok-1' });
    const line = await requestLine(stack, 'log-ok-1');
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Jobs',
      upstream: { calls: 1, attempts: 1, cached: 0, outcome: 'ok' },
    });
    expect(line['ms']).toBeGreaterThan(0);
    expect(line).not.toHaveProperty('errorCode');
    expect(stack.logs.filter((l) => l['requestId'] === 'log-ok-1')).toHaveLength(1);
  });

  it('names the error code and the failed upstream outcome, and logs the cause beside it', async () => {
    stack.emulator.setFault({ status: 403, error: { shape: 'modelarts', code: 'ModelArts.0102' }, times: 1 });
    await stack.gql(JOBS, undefined, { ...AUTH, 'x-request-id': 'log-403' });
    const line = await requestLine(stack, 'log-403');
    expect(line).toMatchObject({ errorCode: 'FORBIDDEN', upstream: { calls: 1, attempts: 1, outcome: 'FORBIDDEN' } });
    for (const l of stack.logs.filter((l) => l['requestId'] === 'log-403')) expect(l['msg']).toMatch(/^(request|upstream call failed)$/);
  });

  it('logs requests refused before GraphQL runs, with their code', async () => {
    const big = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-413' },
      body: JSON.stringify({ query: `{ __typename }${' '.repeat(4096)}` }),
    });
    expect(big.status).toBe(413);
    expect(await requestLine(stack, 'log-413')).toMatchObject({ status: 413, errorCode: 'BAD_REQUEST' });
  });

  it('logs the probes at debug level only', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      await fetch(`${stack.origin}${path}`, { headers: { 'x-request-id': `probe-${path.slice(1)}` } });
      expect(await requestLine(stack, `probe-${path.slice(1)}`)).toMatchObject({ level: 20, path, status: 200 });
    }
  });

  it('marks a request whose client left before the answer', async () => {
    stack.emulator.setFault({ delayMs: 1000, times: 1 });
    const controller = new AbortController();
    const pending = fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-left', ...AUTH },
      body: JSON.stringify({ query: JOBS }),
      signal: controller.signal,
    }).catch(() => 'aborted');
    await vi.waitFor(() => expect(stack.emulator.requests.some((r) => r.headers['x-request-id'] === 'log-left')).toBe(true));
    controller.abort();
    expect(await pending).toBe('aborted');
    // The line is written as the response closes, before the abandoned call has unwound.
    expect(await requestLine(stack, 'log-left')).toMatchObject({ aborted: true, operation: 'Jobs' });
    await vi.waitFor(async () => {
      const text = await scrape(stack);
      expect(sample(text, 'gateway_upstream_calls_total{outcome="CANCELLED"}')).toBe(1);
      expect(sample(text, 'gateway_graphql_requests_total{operation="Jobs",outcome="CANCELLED"}')).toBe(1);
    });
  });
  it('puts a request id in every line it wrote', () => {
    expect(stack.logs.length).toBeGreaterThan(5);
    for (const line of stack.logs) expect(line['requestId'], JSON.stringify(line)).toEqual(expect.any(String));
  });
});

describe('request ids', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ rateLimit: { perSecond: 1, burst: 1 } });
  });
  afterAll(() => stack.close());

  it('reuses a safe incoming X-Request-Id: response header, upstream call, log line and error extensions', async () => {
    stack.emulator.clearRequests();
    const res = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-Abc.123:x_y', 'x-auth-token': 'a' },
      body: JSON.stringify({ query: '{ ok: trainingJobs(perPage: 1) { totalCount } bad: trainingJobs(perPage: 0) { totalCount } }' }),
    });
    const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(res.headers.get('x-request-id')).toBe('req-Abc.123:x_y');
    expect(body.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: 'req-Abc.123:x_y' });
    expect(stack.emulator.requests.map((r) => r.headers['x-request-id'])).toEqual(['req-Abc.123:x_y']);
    expect(await requestLine(stack, 'req-Abc.123:x_y')).toMatchObject({ errorCode: 'BAD_USER_INPUT' });
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with a space', 'two words'],
    ['with a newline-like escape', 'id\\nforged'],
    ['with quotes', '"id"'],
    ['non-ASCII', 'id-é'],
  ])('replaces an incoming id %s with a fresh UUID', async (_what, incoming) => {
    const res = await new Promise<{ id: string | undefined }>((resolve, reject) => {
      const req = request(`${stack.origin}/health`, { headers: { 'x-request-id': Buffer.from(incoming, 'utf8').toString('latin1') } }, (r) => {
        r.resume();
        resolve({ id: r.headers['x-request-id'] as string | undefined });
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each<[string, () => Promise<Response>, number]>([
    ['a syntax error (yoga)', () => post('{ trainingJobs {'), 400],
    ['a validation error (yoga)', () => post('{ nope }'), 400],
    ['a GET without the CSRF header (yoga)', () => fetch(`${stackOrigin()}/graphql?query=%7B__typename%7D`, { headers: { 'x-request-id': 'layer', 'x-auth-token': 'csrf' } }), 403],
    ['a body without Content-Length', () => fetch(`${stackOrigin()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'layer', 'x-auth-token': 'chunked' },
      body: new Blob(['{}']).stream(),
      duplex: 'half',
    } as RequestInit), 411],
  ])('puts the request id in the errors of %s', async (_what, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { errors: Array<{ extensions?: Record<string, unknown> }> };
    expect(body.errors.length).toBeGreaterThan(0);
    for (const error of body.errors) expect(error.extensions?.['requestId']).toBe('layer');
  });

  it('puts the request id in a rate-limit refusal', async () => {
    const send = () => fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 'limited', 'x-request-id': 'limited' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await send();
    const res = await send();
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', requestId: 'limited' } }] });
  });

  const stackOrigin = () => stack.origin;
  const post = (query: string) =>
    fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      // graphql-response+json: request errors are 400 (application/json would be 200).
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-request-id': 'layer', 'x-auth-token': query },
      body: JSON.stringify({ query }),
    });
});
