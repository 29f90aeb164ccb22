/**
 * The tracer on the real SDK, exporting through its OTLP/HTTP exporters to a receiver on a real
 * socket: both protocols, the W3C context in and out, the samplers, and what a collector that
 * is down, refusing or hanging costs (spans, counted as dropped; never an error or a wait for
 * whoever makes spans).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TracingConfig } from '../../src/config.ts';
import type { Tracer } from '../../src/tracing/api.ts';
import { createOtelTracer } from '../../src/tracing/otel.ts';
import { freePort } from '../support/process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp.ts';

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

function config(url: string, overrides: Partial<TracingConfig> = {}): TracingConfig {
  return {
    url: `${url}/v1/traces`,
    protocol: 'http/protobuf',
    headers: {},
    serviceName: 'gateway-under-test',
    sampler: { name: 'parentbased_always_on', ratio: 1 },
    batch: { maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMs: 20, exportTimeoutMs: 1000 },
    ...overrides,
  };
}

let receiver: OtlpReceiver;
const tracers: Tracer[] = [];
const dropped: Array<[number, string]> = [];

function tracer(overrides: Partial<TracingConfig> = {}, url = receiver.url): Tracer {
  const made = createOtelTracer(config(url, overrides), { onDrop: (count, why) => dropped.push([count, why]) });
  tracers.push(made);
  return made;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await Promise.all(tracers.splice(0).map((t) => t.shutdown(100)));
  receiver.spans.length = 0;
  receiver.exports.length = 0;
  receiver.mode = 'ok';
  dropped.length = 0;
});
afterAll(() => receiver.close());

describe.each(['http/protobuf', 'http/json'] as const)('exporting over %s', (protocol) => {
  it('sends a server span and its children with their kinds, parents, attributes, events and resource', async () => {
    const t = tracer({ protocol, headers: { 'x-collector-key': 'k1' } });
    const server = t.server('POST /graphql', {}, { 'http.request.method': 'POST', 'http.route': '/graphql' });
    const operation = t.child(server, 'query', 'internal', { 'graphql.operation.type': 'query' });
    operation.addEvent('cache.hit', { 'tjg.cache.store': 'memory' });
    const call = t.child(operation, 'GET', 'client', { 'server.port': 443 });
    t.fail(call, 'UPSTREAM_TIMEOUT');
    call.end();
    operation.end();
    server.end();
    const spans = await receiver.waitFor((s) => s.length === 3);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['POST /graphql']).toMatchObject({ kind: 'server', parentSpanId: '', attributes: { 'http.request.method': 'POST', 'http.route': '/graphql' } });
    expect(byName['query']).toMatchObject({ kind: 'internal', parentSpanId: byName['POST /graphql']!.spanId, events: [{ name: 'cache.hit', attributes: { 'tjg.cache.store': 'memory' } }] });
    expect(byName['GET']).toMatchObject({ kind: 'client', parentSpanId: byName['query']!.spanId, statusCode: 2, attributes: { 'server.port': 443, 'error.type': 'UPSTREAM_TIMEOUT' } });
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'gateway-under-test', 'telemetry.sdk.language': 'nodejs' });
    expect(spans[0]!.scope).toBe('training-jobs-gateway');
    expect(receiver.exports[0]!.headers['x-collector-key']).toBe('k1');
    expect(receiver.exports[0]!.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
  });
});

describe('the W3C trace context', () => {
  it('continues an incoming traceparent, keeping its tracestate', async () => {
    const t = tracer();
    const span = t.server('GET /graphql', { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, tracestate: 'vendor=abc' }, {});
    span.end();
    const [received] = await receiver.waitFor((s) => s.length === 1);
    expect(received).toMatchObject({ traceId: PARENT_TRACE, parentSpanId: PARENT_SPAN, traceState: 'vendor=abc' });
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_SPAN}-01`],
    ['an unknown version ff', `ff-${PARENT_TRACE}-${PARENT_SPAN}-01`],
    ['upper-case hex', `00-${PARENT_TRACE.toUpperCase()}-${PARENT_SPAN}-01`],
  ])('starts a trace of its own from %s', async (_what, traceparent) => {
    const t = tracer();
    t.server('GET /graphql', { traceparent }, {}).end();
    const [received] = await receiver.waitFor((s) => s.length === 1);
    expect(received!.parentSpanId).toBe('');
    expect(received!.traceId).not.toBe(PARENT_TRACE);
    expect(received!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['an oversized tracestate', 'k=' + 'v'.repeat(10_000)],
    ['a tracestate of 100 members', Array.from({ length: 100 }, (_, i) => `k${i}=v`).join(',')],
    ['a tracestate of invalid keys', 'UPPER=1,@@=2,=3'],
    ['a tracestate with control characters', 'k=v\u0001,x=\u0000'],
  ])('continues the trace past %s, never failing', async (_what, tracestate) => {
    const t = tracer();
    const span = t.server('GET /graphql', { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, tracestate }, {});
    const headers: Record<string, string> = {};
    t.inject(t.child(span, 'GET', 'client'), headers);
    span.end();
    const [received] = await receiver.waitFor((s) => s.length === 1);
    expect(received!.traceId).toBe(PARENT_TRACE);
    expect((headers['tracestate'] ?? '').length).toBeLessThanOrEqual(512);
  });

  it("injects a call's own span as traceparent, and the tracestate it carries", () => {
    const t = tracer();
    const server = t.server('GET /graphql', { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, tracestate: 'vendor=abc' }, {});
    const call = t.child(server, 'GET', 'client');
    const headers: Record<string, string> = {};
    t.inject(call, headers);
    expect(headers).toEqual({ traceparent: `00-${PARENT_TRACE}-${call.spanContext().spanId}-01`, tracestate: 'vendor=abc' });
  });
});

describe('sampling', () => {
  it('always_off exports nothing, yet propagates the trace unsampled', async () => {
    const t = tracer({ sampler: { name: 'always_off', ratio: 1 } });
    const server = t.server('POST /graphql', {}, {});
    const headers: Record<string, string> = {};
    t.inject(t.child(server, 'GET', 'client'), headers);
    server.end();
    expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.spans).toEqual([]);
  });

  it('parentbased_traceidratio 0 follows a sampled parent and samples no root of its own', async () => {
    const t = tracer({ sampler: { name: 'parentbased_traceidratio', ratio: 0 } });
    t.server('POST /graphql', {}, {}).end();
    t.server('POST /graphql', { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` }, {}).end();
    t.server('POST /graphql', { traceparent: `00-${'1'.repeat(32)}-${PARENT_SPAN}-00` }, {}).end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.spans.map((s) => s.traceId)).toEqual([PARENT_TRACE]);
  });

  it('traceidratio 0.5 samples about half of the roots', async () => {
    const t = tracer({ sampler: { name: 'traceidratio', ratio: 0.5 }, batch: { maxQueueSize: 1000, maxExportBatchSize: 500, scheduledDelayMs: 20, exportTimeoutMs: 1000 } });
    for (let i = 0; i < 400; i++) t.root('live.poll').end();
    await t.shutdown(2000);
    expect(receiver.spans.length).toBeGreaterThan(120);
    expect(receiver.spans.length).toBeLessThan(280);
  });
});

describe('a collector that does not take the spans', () => {
  it('drops spans beyond the queue, counting them, and exports the rest', async () => {
    const t = tracer({ batch: { maxQueueSize: 5, maxExportBatchSize: 5, scheduledDelayMs: 10_000, exportTimeoutMs: 1000 } });
    receiver.mode = 'hang';
    for (let i = 0; i < 5; i++) t.root(`first-${i}`).end();
    // The first five went out in one export that hangs; five more fill the queue again.
    for (let i = 0; i < 8; i++) t.root(`more-${i}`).end();
    expect(dropped).toEqual([[1, 'queue full'], [1, 'queue full'], [1, 'queue full']]);
  });

  it('counts the batch of an export the collector refuses with 503 as dropped', async () => {
    receiver.mode = 'unavailable';
    const t = tracer({ batch: { maxQueueSize: 100, maxExportBatchSize: 3, scheduledDelayMs: 10, exportTimeoutMs: 500 } });
    for (let i = 0; i < 3; i++) t.root('refused').end();
    await expect.poll(() => dropped, { timeout: 3000 }).toEqual([[3, expect.stringMatching(/^export (failed|timed out)$/)]]);
  });

  it('counts the batch of an export that hangs as timed out, and goes on with the next', async () => {
    receiver.mode = 'hang';
    const t = tracer({ batch: { maxQueueSize: 100, maxExportBatchSize: 2, scheduledDelayMs: 10, exportTimeoutMs: 200 } });
    t.root('a').end();
    t.root('b').end();
    await expect.poll(() => dropped, { timeout: 3000 }).toEqual([[2, 'export timed out']]);
    receiver.mode = 'ok';
    t.root('c').end();
    await receiver.waitFor((s) => s.some((span) => span.name === 'c'));
  });

  it('counts the spans sent to a port where nothing listens as failed', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const t = tracer({ batch: { maxQueueSize: 100, maxExportBatchSize: 2, scheduledDelayMs: 10, exportTimeoutMs: 500 } }, closed);
    t.root('a').end();
    t.root('b').end();
    await expect.poll(() => dropped, { timeout: 3000 }).toEqual([[2, expect.stringMatching(/^export (failed|timed out)$/)]]);
  });
});

describe('shutdown', () => {
  it('exports what is queued at once, not at the next scheduled export', async () => {
    const t = tracer({ batch: { maxQueueSize: 100, maxExportBatchSize: 50, scheduledDelayMs: 60_000, exportTimeoutMs: 1000 } });
    for (let i = 0; i < 7; i++) t.root(`queued-${i}`).end();
    await t.shutdown(1000);
    expect(receiver.spans).toHaveLength(7);
    expect(dropped).toEqual([]);
  });

  it('returns by its deadline when the collector hangs, counting what it could not send', async () => {
    receiver.mode = 'hang';
    const t = tracer({ batch: { maxQueueSize: 100, maxExportBatchSize: 2, scheduledDelayMs: 60_000, exportTimeoutMs: 5000 } });
    for (let i = 0; i < 5; i++) t.root(`stuck-${i}`).end();
    const start = Date.now();
    await t.shutdown(300);
    expect(Date.now() - start).toBeLessThan(1500);
    // One batch of two went out and hangs; three spans never left the queue. All five count.
    expect(dropped).toEqual([[2, 'shut down'], [3, 'shut down']]);
  });
});
