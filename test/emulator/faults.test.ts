// Faults injected with setFault: error bodies, headers, delays, resets and truncated answers, and
// bodies trickled slowly onto the wire, intact, cut, or dropped by the client part way.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import type { ErrorBodyShape } from '../../src/emulator/index.ts';
import { AUTH, PATH, call, emu, raw, until, useEmulator } from './support.ts';

useEmulator();

describe('faults', () => {
  const shapes: Array<[ErrorBodyShape, string[]]> = [
    ['v1', ['is_success', 'error_code', 'error_message']],
    ['modelarts', ['error_code', 'error_msg']],
    ['apigw', ['error_code', 'error_msg', 'request_id']],
  ];
  it.each(shapes)('answers with status and a %s error body', async (shape, keys) => {
    emu.setFault({ status: 429, error: { shape, code: 'APIGW.0308', message: 'throttled' } });
    const reply = await call();
    expect(reply.status).toBe(429);
    expect(Object.keys(reply.body)).toEqual(keys);
    expect(reply.body).toMatchObject({ error_code: 'APIGW.0308' });
    expect(reply.text).toContain('"throttled"');
    if (shape === 'apigw') expect(reply.body['request_id']).toBe(reply.headers.get('x-request-id'));
  });

  it('applies a fault only to requests whose query carries its `when` parameters', async () => {
    emu.setFault({ status: 403, error: { shape: 'modelarts', code: 'ModelArts.0210' }, when: { status: '11' }, times: 1 });
    expect((await call('status=8&per_page=1')).status).toBe(200);
    expect((await call('per_page=1')).status).toBe(200);
    expect((await call('status=11&per_page=1')).status).toBe(403);
    // times counts only the requests it applied to.
    expect((await call('status=11&per_page=1')).status).toBe(200);
  });

  it('gives each request the first fault of a list that it matches, each with its own times', async () => {
    emu.setFault([
      { status: 404, error: { shape: 'apigw', code: 'APIG.0101' }, when: { status: '3' }, times: 1 },
      { status: 503, error: { shape: 'modelarts', code: 'ModelArts.4302' } },
    ]);
    expect((await call('status=3')).status).toBe(404);
    expect((await call('status=3')).status).toBe(503);
    expect((await call('status=5')).status).toBe(503);
    expect(() => emu.setFault([{ delayMs: 1 }, { status: 42 }])).toThrow(RangeError);
    // A list with a bad fault changes nothing.
    expect((await call('status=5')).status).toBe(503);
  });

  it('counts the most requests in flight at once, from the last clearRequests()', async () => {
    emu.clearRequests();
    emu.setFault({ delayMs: 100 });
    await Promise.all([call('a=1'), call('a=2'), call('a=3')]);
    expect(emu.peakInFlight).toBe(3);
    emu.clearRequests();
    expect(emu.peakInFlight).toBe(0);
    await call('a=4');
    expect(emu.peakInFlight).toBe(1);
  });

  it('sends a string body verbatim and an object body as JSON', async () => {
    emu.setFault({ status: 502, body: '<html>Bad Gateway</html>' });
    const html = await fetch(`${emu.url}${PATH}`);
    expect(html.status).toBe(502);
    expect(await html.text()).toBe('<html>Bad Gateway</html>');
    emu.setFault({ body: '{"is_success":tru' });
    const res = await fetch(`${emu.url}${PATH}`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"is_success":tru');
    emu.setFault({ status: 500, body: { error_code: 'ModelArts.0010', error_msg: 'boom' } });
    const obj = await call();
    expect(obj.body).toEqual({ error_code: 'ModelArts.0010', error_msg: 'boom' });
  });

  it('adds response headers, overriding defaults, also on normal answers', async () => {
    emu.setFault({ headers: { 'Retry-After': '1', 'x-request-id': 'fixed-id' } });
    const reply = await call();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.headers.get('x-request-id')).toBe('fixed-id');
  });

  it('delays the answer by delayMs', async () => {
    emu.setFault({ delayMs: 150 });
    const start = performance.now();
    const reply = await call();
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(200);
  });

  it('resets the connection without answering, and still logs the request', async () => {
    emu.setFault({ reset: true });
    await expect(fetch(`${emu.url}${PATH}?page=1`, { headers: AUTH })).rejects.toThrow();
    expect(emu.requests.map((r) => r.query)).toEqual(['page=1']);
  });

  it('truncates the normal answer to half its body', async () => {
    const full = Buffer.from((await call()).text);
    emu.setFault({ truncate: true });
    const cut = await raw(PATH);
    expect(cut.status).toBe(200);
    expect(cut.cut).toBe(true);
    expect(Number(cut.headers['content-length'])).toBe(full.length);
    expect(cut.body.equals(full.subarray(0, full.length >> 1))).toBe(true);
    emu.setFault({ truncate: true });
    await expect(fetch(`${emu.url}${PATH}`, { headers: AUTH }).then((r) => r.text())).rejects.toThrow();
  });

  it('truncates a given body too', async () => {
    emu.setFault({ status: 503, body: '0123456789', truncate: true });
    const cut = await raw(PATH);
    expect(cut).toMatchObject({ status: 503, cut: true });
    expect(cut.body.toString()).toBe('01234');
  });

  it('applies to the next `times` requests only, then clears itself', async () => {
    emu.setFault({ status: 503, error: { shape: 'modelarts', code: 'ModelArts.4302' }, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call()).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('applies before authentication and validation, and clears with null', async () => {
    emu.setFault({ status: 504, error: { shape: 'apigw', code: 'APIGW.0203' } });
    const reply = await call('per_page=0', { headers: {}, path: '/nowhere' });
    expect(reply.status).toBe(504);
    expect(reply.body['error_msg']).toBe('Injected fault');
    emu.setFault(null);
    expect((await call()).status).toBe(200);
  });

  it('rejects an inconsistent fault when it is set', () => {
    expect(() => emu.setFault({ error: { shape: 'v1', code: 'X' } })).toThrow(/status/);
    expect(() => emu.setFault({ status: 42 })).toThrow(RangeError);
    expect(() => emu.setFault({ reset: true, truncate: true })).toThrow(TypeError);
    expect(() => emu.setFault({ times: 0 })).toThrow(RangeError);
    expect(() => emu.setFault({ headers: { 'bad header': 'x' } })).toThrow();
    expect(() => emu.setFault({ trickle: { chunkBytes: 0, intervalMs: 10 } })).toThrow(/chunkBytes/);
    expect(() => emu.setFault({ trickle: { chunkBytes: 1.5, intervalMs: 10 } })).toThrow(RangeError);
    expect(() => emu.setFault({ trickle: { chunkBytes: 10, intervalMs: -1 } })).toThrow(/intervalMs/);
    expect(() => emu.setFault({ trickle: { chunkBytes: 10, intervalMs: Number.NaN } })).toThrow(RangeError);
    expect(() => emu.setFault({ reset: true, trickle: { chunkBytes: 1, intervalMs: 1 } })).toThrow(TypeError);
  });
});

/** A body whose every 1 KB slice differs, so a lost, repeated or reordered chunk shows. */
const patterned = (bytes: number): string =>
  Array.from({ length: bytes / 8 }, (_, i) => i.toString(16).padStart(8, '0')).join('');

/** Starts a request that is destroyed as soon as the first body bytes arrive; resolves then. */
function dropAfterFirstChunk(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: AUTH, agent: false });
    req.on('error', () => undefined); // our own destroy() may surface here; it is expected
    req.on('response', (res) => {
      res.on('error', () => undefined);
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no body bytes arrived')), 5000).unref();
    req.end();
  });
}

describe('trickle', () => {
  it('sends a 20 KB body in 1 KB chunks every 20 ms, slowly and intact', async () => {
    const body = patterned(20 * 1024);
    emu.setFault({ status: 200, body, trickle: { chunkBytes: 1024, intervalMs: 20 } });
    const start = performance.now();
    const reply = await raw(PATH);
    // 20 chunks: the first with the headers, then 19 intervals of 20 ms.
    expect(performance.now() - start).toBeGreaterThanOrEqual(370);
    expect(reply).toMatchObject({ status: 200, cut: false });
    expect(Number(reply.headers['content-length'])).toBe(body.length);
    expect(reply.body.toString()).toBe(body);
    expect(reply.chunks).toBeGreaterThan(1);
    await until('the answer to finish', () => emu.answered === 1);
  });

  it('trickles the normal answer and error bodies unchanged', async () => {
    const whole = (await call('per_page=1000')).text;
    emu.setFault({ trickle: { chunkBytes: 4096, intervalMs: 1 } });
    const slow = await raw(`${PATH}?per_page=1000`);
    expect(slow.status).toBe(200);
    expect(slow.body.toString()).toBe(whole);
    emu.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0203' }, trickle: { chunkBytes: 7, intervalMs: 1 } });
    const failed = await raw(PATH);
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ error_code: 'APIGW.0203', request_id: failed.headers['x-request-id'] });
    emu.setFault({ status: 204, trickle: { chunkBytes: 1, intervalMs: 1 } });
    expect(await raw(PATH)).toMatchObject({ status: 204, cut: false });
  });

  it('sends the headers after delayMs, then the body slowly', async () => {
    emu.setFault({ delayMs: 100, body: '0123456789', trickle: { chunkBytes: 5, intervalMs: 100 } });
    const start = performance.now();
    const reply = await raw(PATH);
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect(reply.body.toString()).toBe('0123456789');
  });

  it('combines with truncate: trickles the first half, then cuts', async () => {
    emu.setFault({ status: 503, body: '0123456789', truncate: true, trickle: { chunkBytes: 2, intervalMs: 10 } });
    const cut = await raw(PATH);
    expect(cut).toMatchObject({ status: 503, cut: true });
    expect(cut.headers['content-length']).toBe('10');
    expect(cut.body.toString()).toBe('01234');
    expect(emu.requests[0]?.aborted).toBeUndefined(); // the emulator cut it, not the client
  });

  it('stops quietly when the client goes away mid-body, and marks the request aborted', async () => {
    const own = await createEmulator().listen();
    try {
      own.setFault({ body: patterned(64 * 1024), trickle: { chunkBytes: 100, intervalMs: 5 } });
      await dropAfterFirstChunk(`${own.url}${PATH}`);
      await until('the request to be marked aborted', () => own.requests[0]?.aborted === true);
      await until('the socket to close', () => own.connections === 0);
      // Several more intervals: a chain still running would write to the dead socket and throw.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(own.answered).toBe(0);
      own.setFault(null);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('is cancelled by close() and by down(), which do not mark the request aborted', async () => {
    for (const stop of ['close', 'down'] as const) {
      const own = await createEmulator().listen();
      own.setFault({ body: patterned(8 * 1024), trickle: { chunkBytes: 10, intervalMs: 1000 } });
      const pending = raw(PATH, { base: own.url });
      await until('the first chunk to be sent', () => own.requests.length === 1);
      await own[stop]();
      const reply = await pending;
      expect(reply.cut).toBe(true);
      expect(reply.body.length).toBeLessThan(8 * 1024);
      expect(own.requests[0]?.aborted).toBeUndefined();
      await own.close();
    }
  });
});
