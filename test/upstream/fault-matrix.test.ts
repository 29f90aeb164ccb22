/**
 * The fault matrix: one row per upstream fault, asserting what the client sees (code and
 * extensions.upstream), how many upstream requests it cost (retried or not), how long it took,
 * and that the next normal query succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { Fault } from '../../src/emulator/index.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { ONE_JOB_PAGE, UPSTREAMS, type Api } from '../support/upstreams.ts';

const TIMEOUT_MS = 1000;
const MAX_BODY = 64 * 1024;
const QUERY = '{ trainingJobs(perPage: 20) { totalCount jobs { id status statusCode } } }';
const HEX32 = expect.stringMatching(/^[0-9a-f]{32}$/);

interface Row {
  fault: Fault;
  /** undefined: the page arrives. */
  code?: string;
  upstream?: Record<string, unknown>;
  requests: number;
}

/** Faults of the transport and of HTTP: the same on both upstreams. */
const ROWS: Record<string, Row> = {
  'headers later than the deadline': { fault: { delayMs: 3000 }, code: 'UPSTREAM_TIMEOUT', requests: 1 },
  'a body trickling past the deadline': { fault: { trickle: { chunkBytes: 64, intervalMs: 100 } }, code: 'UPSTREAM_TIMEOUT', requests: 1 },
  'headers late but within the deadline': { fault: { delayMs: 300 }, requests: 1 },
  '400 (v1 body)': { fault: { status: 400, error: { shape: 'v1', code: 'ModelArts.2764' } }, code: 'BAD_USER_INPUT', upstream: { errorCode: 'ModelArts.2764', httpStatus: 400, requestId: HEX32 }, requests: 1 },
  '401 (gateway body)': { fault: { status: 401, error: { shape: 'apigw', code: 'APIGW.0301' } }, code: 'UNAUTHENTICATED', upstream: { errorCode: 'APIGW.0301', httpStatus: 401, requestId: HEX32 }, requests: 1 },
  '403 (ModelArts body)': { fault: { status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' } }, code: 'FORBIDDEN', upstream: { errorCode: 'ModelArts.0210', httpStatus: 403, requestId: HEX32 }, requests: 1 },
  '404 (APIG. prefix)': { fault: { status: 404, error: { shape: 'apigw', code: 'APIG.0101' } }, code: 'NOT_FOUND', upstream: { errorCode: 'APIG.0101', httpStatus: 404, requestId: HEX32 }, requests: 1 },
  '408': { fault: { status: 408 }, code: 'UPSTREAM_TIMEOUT', upstream: { httpStatus: 408, requestId: HEX32 }, requests: 1 },
  '429 every time': { fault: { status: 429, error: { shape: 'apigw', code: 'APIGW.0308' } }, code: 'RATE_LIMITED', upstream: { errorCode: 'APIGW.0308', httpStatus: 429, requestId: HEX32 }, requests: 3 },
  '429 once, Retry-After 0': { fault: { status: 429, error: { shape: 'modelarts', code: 'ModelArts.2799' }, headers: { 'retry-after': '0' }, times: 1 }, requests: 2 },
  '429 with Retry-After past the deadline': { fault: { status: 429, error: { shape: 'apigw', code: 'APIGW.0308' }, headers: { 'retry-after': '60' } }, code: 'RATE_LIMITED', upstream: { errorCode: 'APIGW.0308', httpStatus: 429, requestId: HEX32 }, requests: 1 },
  '500': { fault: { status: 500, error: { shape: 'modelarts', code: 'ModelArts.0010' } }, code: 'UPSTREAM_ERROR', upstream: { errorCode: 'ModelArts.0010', httpStatus: 500, requestId: HEX32 }, requests: 1 },
  '502 every time': { fault: { status: 502, error: { shape: 'apigw', code: 'APIGW.0202' } }, code: 'UPSTREAM_UNAVAILABLE', upstream: { errorCode: 'APIGW.0202', httpStatus: 502, requestId: HEX32 }, requests: 3 },
  '503 twice, then a page': { fault: { status: 503, error: { shape: 'modelarts', code: 'ModelArts.4302' }, times: 2 }, requests: 3 },
  '504 every time': { fault: { status: 504, error: { shape: 'apigw', code: 'APIGW.0203' } }, code: 'UPSTREAM_UNAVAILABLE', upstream: { errorCode: 'APIGW.0203', httpStatus: 504, requestId: HEX32 }, requests: 3 },
  'an HTML page with 200': { fault: { status: 200, body: '<!doctype html><title>Welcome</title>', headers: { 'content-type': 'text/html' } }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
  'an HTML page with 502': { fault: { status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }, code: 'UPSTREAM_UNAVAILABLE', upstream: { httpStatus: 502, requestId: HEX32 }, requests: 3 },
  'a connection reset before answering': { fault: { reset: true }, code: 'UPSTREAM_UNAVAILABLE', requests: 3 },
  'a connection reset mid-body': { fault: { truncate: true }, code: 'UPSTREAM_UNAVAILABLE', requests: 3 },
  'truncated JSON in a complete answer': { fault: { status: 200, body: '{"is_success":true,"job_total_count":3,"jobs":[{"job_id":1,' }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
  'a body over the size cap': { fault: { status: 200, body: `{"pad":"${'x'.repeat(MAX_BODY)}"}` }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
};

/** Pages of each upstream's own shape. */
const ROWS_OF: Record<Api, Record<string, Row>> = {
  v1: {
    'is_success false with 200': { fault: { status: 200, error: { shape: 'v1', code: 'ModelArts.0105' } }, code: 'UPSTREAM_ERROR', upstream: { errorCode: 'ModelArts.0105', httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'jobs that is not an array': { fault: { status: 200, body: { is_success: true, job_total_count: 1, jobs: {} } }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a field of the wrong type': { fault: { status: 200, body: ONE_JOB_PAGE.v1(',"job_name":42') }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a missing required field': { fault: { status: 200, body: '{"job_total_count":1,"jobs":[{"job_id":1,"job_name":"a"}]}' }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'an id beyond 2^63': { fault: { status: 200, body: ONE_JOB_PAGE.v1(',"job_id":9223372036854775808') }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a negative id': { fault: { status: 200, body: ONE_JOB_PAGE.v1(',"version_id":-7') }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'unknown extra fields': { fault: { status: 200, body: ONE_JOB_PAGE.v1(',"user":{"name":"x"},"flavor":"gpu"') }, requests: 1 },
    'an unknown status code': { fault: { status: 200, body: ONE_JOB_PAGE.v1(',"status":99') }, requests: 1 },
  },
  v2: {
    'a page without count': { fault: { status: 200, body: { total: 1, items: [] } }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'items that is not an array': { fault: { status: 200, body: { count: 1, items: {} } }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a field of the wrong type': { fault: { status: 200, body: ONE_JOB_PAGE.v2(',"metadata":{"id":1,"name":"a","create_time":1}') }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a missing required field': { fault: { status: 200, body: ONE_JOB_PAGE.v2(',"status":{"phase":"Running"}') }, code: 'UPSTREAM_ERROR', upstream: { httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'a v2 error body with 200': { fault: { status: 200, error: { shape: 'v2', code: 'ModelArts.0010' } }, code: 'UPSTREAM_ERROR', upstream: { errorCode: 'ModelArts.0010', httpStatus: 200, requestId: HEX32 }, requests: 1 },
    'unknown extra fields': { fault: { status: 200, body: ONE_JOB_PAGE.v2(',"algorithm":{"id":"x"},"spec":{}') }, requests: 1 },
    'an unknown phase': { fault: { status: 200, body: ONE_JOB_PAGE.v2(',"status":{"phase":"Hibernating","duration":1}') }, requests: 1 },
  },
};

describe.each(UPSTREAMS)('on %s', (api) => {
  let stack: Stack;
  const figures: Array<{ name: string; ok: boolean; ms: number }> = [];

  beforeAll(async () => {
    stack = await startStack({ api, timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_BODY, breaker: { threshold: 0 } });
  });
  afterAll(async () => {
    await stack.close();
    const worst = Math.max(...figures.map((f) => f.ms));
    console.log(
      `fault matrix on ${api}: ${figures.length} faults tried, ${figures.filter((f) => f.ok).length} mapped correctly, worst time to answer ${worst} ms (deadline ${TIMEOUT_MS} ms)`,
    );
  });

  describe('the fault matrix', () => {
    it.each(Object.entries({ ...ROWS, ...ROWS_OF[api] }))('answers %s correctly, in time, and recovers', async (name, row) => {
      stack.emulator.setFault(null);
      stack.emulator.clearRequests();
      stack.emulator.setFault(row.fault);
      const start = Date.now();
      const res = await stack.gql(QUERY);
      const ms = Date.now() - start;
      figures.push({ name, ok: false, ms });

      if (row.code === undefined) {
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data?.trainingJobs.jobs.length).toBeGreaterThan(0);
      } else {
        expect(res.body.data).toEqual({ trainingJobs: null });
        expect(res.body.errors?.[0]?.extensions).toEqual(row.upstream ? { code: row.code, upstream: row.upstream } : { code: row.code });
      }
      expect(stack.emulator.requests).toHaveLength(row.requests);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
      const text = JSON.stringify(res.body);
      for (const leak of ['127.0.0.1', String(stack.emulator.port), 'Welcome', 'Bad Gateway', 'xxxxxxxx']) expect(text).not.toContain(leak);

      stack.emulator.setFault(null);
      const next = await stack.gql(QUERY);
      expect(next.body.errors).toBeUndefined();
      figures[figures.length - 1]!.ok = true;
    });

    it('answers UPSTREAM_UNAVAILABLE at once when connections are refused, and recovers', async () => {
      await stack.emulator.down();
      try {
        const start = Date.now();
        const res = await stack.gql(QUERY);
        const ms = Date.now() - start;
        figures.push({ name: 'connection refused', ok: false, ms });
        expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
        expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
      } finally {
        await stack.emulator.up();
      }
      expect((await stack.gql(QUERY)).body.errors).toBeUndefined();
      figures[figures.length - 1]!.ok = true;
    });
  });

  describe('the circuit breaker', () => {
    it('stops calling a hard-down upstream, answers at once, and probes again after the cool-off', async () => {
      const other = await startStack({ api, timeoutMs: TIMEOUT_MS, breaker: { threshold: 3, coolOffMs: 800 } });
      try {
        await other.emulator.down();
        // Three refused attempts (one call with its retries) open the circuit.
        expect((await other.gql(QUERY)).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
        await other.emulator.up();
        other.emulator.clearRequests();
        const res = await other.gql(QUERY);
        expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
        expect(other.emulator.requests).toHaveLength(0); // not even tried: the circuit is open
        await new Promise((resolve) => setTimeout(resolve, 900));
        const probe = await other.gql(QUERY);
        expect(probe.body.errors).toBeUndefined();
        expect(other.emulator.requests).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('re-opens when the probe fails, and is not tripped by answers that prove the upstream is up', async () => {
      const other = await startStack({ api, timeoutMs: TIMEOUT_MS, breaker: { threshold: 3, coolOffMs: 500 } });
      try {
        other.emulator.setFault({ status: 400, error: { shape: 'v1', code: 'ModelArts.2764' } });
        for (let i = 0; i < 5; i++) await other.gql(QUERY);
        expect(other.emulator.requests).toHaveLength(5); // 400s never open the circuit
        other.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' } });
        await other.gql(QUERY); // three 503s: open
        await new Promise((resolve) => setTimeout(resolve, 600));
        other.emulator.clearRequests();
        await other.gql(QUERY); // the probe fails: open again, no retry through an open circuit
        expect(other.emulator.requests).toHaveLength(1);
        await other.gql(QUERY);
        expect(other.emulator.requests).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });

  describe('cancellation', () => {
    it('aborts the upstream request, closing its socket, when the client goes away', async () => {
      stack.emulator.setFault({ delayMs: 5000 });
      stack.emulator.clearRequests();
      // node:http, not fetch: Node 20's fetch may keep an aborted socket open for seconds.
      const body = JSON.stringify({ query: QUERY });
      const req = request(`${stack.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-auth-token': 't' },
      });
      req.on('error', () => {}); // destroyed on purpose below
      req.end(body);
      while (stack.emulator.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      req.destroy();
      // `aborted`: the gateway closed that request's socket before the answer (undici may then
      // open a fresh idle one, so the number of connections proves nothing).
      const start = Date.now();
      while (stack.emulator.requests[0]?.aborted !== true && Date.now() - start < 3000) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(stack.emulator.requests[0]?.aborted).toBe(true);
      expect(Date.now() - start).toBeLessThan(3000);
      expect(stack.emulator.answered).toBe(0);
      stack.emulator.setFault(null);
      expect((await stack.gql(QUERY)).body.errors).toBeUndefined();
    });
  });
});
