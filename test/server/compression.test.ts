/**
 * Compressed answers (compression.ts): Accept-Encoding negotiation as RFC 9110 §12.5.3 reads it,
 * then, over real sockets against the emulator, what each path sends: the fast path, yoga (GET
 * and the answers the fast path hands it), GraphiQL, /metrics and the probes, with COMPRESSION's
 * variants. Bodies are read raw (node:http, which decodes nothing) and decoded here.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateJobs } from '../../src/emulator/index.ts';
import { isCompressible, mergeVary, negotiate, parseAcceptEncoding, type Encoding } from '../../src/server/transports/compression.ts';
import { send, varies, type Raw } from '../support/raw-http.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

describe('negotiate', () => {
  const BOTH: Encoding[] = ['br', 'gzip'];
  it.each<[string, string | undefined, Encoding[], Encoding | undefined]>([
    ['no header', undefined, BOTH, undefined],
    ['an empty header (identity only)', '', BOTH, undefined],
    ['gzip', 'gzip', BOTH, 'gzip'],
    ['br', 'br', BOTH, 'br'],
    ['both alike: the server prefers the first offered', 'gzip, br', BOTH, 'br'],
    ['both alike, gzip offered first', 'br, gzip', ['gzip', 'br'], 'gzip'],
    ['a browser', 'gzip, deflate, br, zstd', BOTH, 'br'],
    ['the higher weight', 'br;q=0.5, gzip;q=0.8', BOTH, 'gzip'],
    ['weights with three decimals', 'br;q=0.001, gzip;q=0.002', BOTH, 'gzip'],
    ['br refused', 'br;q=0, gzip', BOTH, 'gzip'],
    ['both refused', 'br;q=0, gzip;q=0.000', BOTH, undefined],
    ['only codings not offered', 'deflate, zstd', BOTH, undefined],
    ['a coding not offered', 'br', ['gzip'], undefined],
    ['nothing offered (off)', 'br, gzip', [], undefined],
    ['*', '*', BOTH, 'br'],
    ['* with br refused', '*, br;q=0', BOTH, 'gzip'],
    ['*;q=0 and gzip', '*;q=0, gzip', BOTH, 'gzip'],
    ['*;q=0 alone', '*;q=0', BOTH, undefined],
    ['a listed coding above *', '*;q=0.1, gzip;q=0.5', BOTH, 'gzip'],
    ['identity alone', 'identity', BOTH, undefined],
    ['identity weighed above gzip', 'gzip;q=0.5, identity', BOTH, undefined],
    ['identity weighed below gzip', 'gzip, identity;q=0.5', BOTH, 'gzip'],
    ['identity weighed like gzip', 'gzip, identity', BOTH, 'gzip'],
    ['identity refused and gzip', 'identity;q=0, gzip', BOTH, 'gzip'],
    ['upper case', 'GZIP;Q=0.9, BR;Q=0.8', BOTH, 'gzip'],
    ['x-gzip', 'x-gzip', BOTH, 'gzip'],
    ['white space around the separators', ' br ; q=0.4 ,\tgzip ;q=0.6 ', BOTH, 'gzip'],
    ['empty list elements', ',, gzip ,', BOTH, 'gzip'],
    ['a coding listed twice: the first weight counts', 'br;q=0, br;q=1, gzip;q=0.5', BOTH, 'gzip'],
    ['malformed: a weight above 1', 'br;q=2, gzip', BOTH, undefined],
    ['malformed: four decimals', 'br;q=0.0001', BOTH, undefined],
    ['malformed: 1.5', 'gzip;q=1.5', BOTH, undefined],
    ['malformed: a parameter that is no weight', 'gzip;level=9', BOTH, undefined],
    ['malformed: two weights', 'gzip;q=1;q=0', BOTH, undefined],
    ['malformed: an empty weight', 'gzip;q=', BOTH, undefined],
    ['malformed: spaces inside a weight', 'gzip;q = 0.5', BOTH, undefined],
    ['malformed: no coding before the weight', ';q=1, gzip', BOTH, undefined],
    ['malformed: not a token', 'g/zip, br', BOTH, undefined],
    ['malformed: a quoted string', '"gzip"', BOTH, undefined],
  ])('%s', (_what, header, offered, expected) => {
    expect(negotiate(header, offered)).toBe(expected);
  });

  it('reads every weight of a long header', () => {
    const header = `${Array.from({ length: 500 }, (_, i) => `x-${i};q=0.5`).join(', ')}, gzip;q=0.3`;
    expect(parseAcceptEncoding(header)?.get('gzip')).toBe(0.3);
    expect(negotiate(header, ['br', 'gzip'])).toBe('gzip');
  });
});

describe('mergeVary and isCompressible', () => {
  it.each<[unknown[], string]>([
    [[undefined, 'Accept-Encoding'], 'Accept-Encoding'],
    [['Origin', undefined, 'Accept-Encoding'], 'Origin, Accept-Encoding'],
    [['Origin, accept-encoding', 'Accept-Encoding'], 'Origin, accept-encoding'],
    [[['Origin', 'Accept'], 'Accept-Encoding'], 'Origin, Accept, Accept-Encoding'],
    [['*', 'Accept-Encoding'], '*'],
    [[' , Origin ,', 'Accept-Encoding'], 'Origin, Accept-Encoding'],
  ])('merges %j into %s', (values, expected) => {
    expect(mergeVary(...(values as string[]))).toBe(expected);
  });

  it.each<[string | undefined, boolean]>([
    ['application/json; charset=utf-8', true],
    ['application/graphql-response+json; charset=utf-8', true],
    ['text/plain; version=0.0.4; charset=utf-8', true],
    ['text/event-stream', false],
    ['multipart/mixed; boundary="-"', false],
    ['image/png', false],
    [undefined, false],
  ])('takes %s as compressible: %s', (type, expected) => {
    expect(isCompressible(type)).toBe(expected);
  });
});

const PAGE = '{ trainingJobs(perPage: 1000) { totalCount jobs { id name description status statusCode versionId createdAt duration } } }';
const SMALL = '{ trainingJobs(perPage: 1) { totalCount } }';
const ORIGIN = 'https://app.example.com';

const post = (stack: Stack, query: string, extra: Record<string, string> = {}, params: Record<string, unknown> = {}) =>
  send(stack.origin, 'POST', '/graphql', { 'content-type': 'application/json', ...AUTH, ...extra }, JSON.stringify({ query, ...params }));
const get = (stack: Stack, query: string, extra: Record<string, string> = {}) =>
  send(stack.origin, 'GET', `/graphql?query=${encodeURIComponent(query)}`, { 'x-graphql-csrf': '1', ...AUTH, ...extra });

/** What compression must hold to for a large answer: the coding, the length sent, the bytes. */
function expectCompressed(raw: Raw, encoding: Encoding, identity: Raw) {
  expect(raw.status).toBe(identity.status);
  expect(raw.headers['content-encoding']).toBe(encoding);
  expect(Number(raw.headers['content-length'])).toBe(raw.wire.length);
  expect(raw.text).toBe(identity.text);
  // A fraction of the answer: JSON of 1000 jobs shrinks at least fourfold.
  expect(raw.wire.length).toBeLessThan(identity.wire.length / 4);
  expect(varies(raw)).toContain('accept-encoding');
}

function expectIdentity(raw: Raw, identity: Raw) {
  expect(raw.headers['content-encoding']).toBeUndefined();
  expect(Number(raw.headers['content-length'])).toBe(raw.wire.length);
  expect(raw.text).toBe(identity.text);
}

describe('over HTTP, with the defaults (br and gzip from 4096 bytes)', () => {
  let stack: Stack;
  let identity: Raw;
  beforeAll(async () => {
    stack = await startStack({ emulator: { jobs: generateJobs(1000, 7) }, corsOrigins: [ORIGIN] });
    identity = await post(stack, PAGE);
  });
  afterAll(() => stack.close());

  it('answers a perPage 1000 page whole, in about 270 KB, to a client that accepts no coding', () => {
    expect(identity.status).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.wire.length).toBeGreaterThan(200_000);
    // The workspace's jobs among the emulator's 1000.
    expect((JSON.parse(identity.text) as { data: { trainingJobs: { jobs: unknown[] } } }).data.trainingJobs.jobs.length).toBeGreaterThan(800);
    // It could have been compressed: caches must key on Accept-Encoding.
    expect(varies(identity)).toContain('accept-encoding');
  });

  it.each<[string, Encoding]>([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['*', 'br'],
  ])('compresses it on the fast path for Accept-Encoding: %s', async (accept, encoding) => {
    expectCompressed(await post(stack, PAGE, { 'accept-encoding': accept }), encoding, identity);
  });

  it.each([['identity'], ['br;q=0, gzip;q=0'], ['*;q=0'], ['deflate'], ['gzip;q=2'], ['']])('sends it whole for Accept-Encoding: %j', async (accept) => {
    expectIdentity(await post(stack, PAGE, { 'accept-encoding': accept }), identity);
  });

  it('leaves an answer under the threshold (a perPage 10 page) whole, and says that it varies', async () => {
    const query = PAGE.replace('perPage: 1000', 'perPage: 10');
    const plain = await post(stack, query);
    const raw = await post(stack, query, { 'accept-encoding': 'br, gzip' });
    expect(raw.wire.length).toBeGreaterThan(2000);
    expect(raw.wire.length).toBeLessThan(4096);
    expectIdentity(raw, plain);
    expect(varies(raw)).toContain('accept-encoding');
  });

  it('keeps CORS\'s Vary: Origin beside Accept-Encoding', async () => {
    const raw = await post(stack, PAGE, { 'accept-encoding': 'gzip', origin: ORIGIN });
    expect(raw.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(varies(raw)).toEqual(['origin', 'accept-encoding']);
    // A GET success varies on the credential too (http-caching.test.ts).
    const small = await get(stack, SMALL, { 'accept-encoding': 'gzip', origin: ORIGIN });
    expect(varies(small)).toEqual(['origin', 'accept-encoding', 'authorization', 'x-auth-token']);
  });

  it('compresses yoga\'s answer to a GET query the same way', async () => {
    const plain = await get(stack, PAGE, { accept: 'application/json' });
    expect(plain.status).toBe(200);
    expect(plain.text).toBe(identity.text);
    expectCompressed(await get(stack, PAGE, { accept: 'application/json', 'accept-encoding': 'gzip' }), 'gzip', plain);
    expectCompressed(await get(stack, PAGE, { accept: 'application/json', 'accept-encoding': 'br;q=1, gzip;q=0.9' }), 'br', plain);
    expectIdentity(await get(stack, PAGE, { accept: 'application/json', 'accept-encoding': 'identity' }), plain);
  });

  it('compresses an answer the fast path hands to yoga (a request with extensions)', async () => {
    const params = { extensions: { client: 'test' } };
    const plain = await post(stack, PAGE, {}, params);
    expect(plain.text).toBe(identity.text);
    expectCompressed(await post(stack, PAGE, { 'accept-encoding': 'br', origin: ORIGIN }, params), 'br', plain);
    expect(varies(await post(stack, PAGE, { 'accept-encoding': 'br', origin: ORIGIN }, params))).toEqual(['origin', 'accept-encoding']);
  });

  it('compresses a large error answer from yoga, and leaves small ones whole', async () => {
    // A validation error per unknown field: tens of KB of errors.
    const unknown = `{ ${Array.from({ length: 300 }, (_, i) => `nope${i}`).join(' ')} }`;
    const headers = { accept: 'application/json', 'x-request-id': 'same-request' };
    const plain = await get(stack, unknown, headers);
    expect(plain.wire.length).toBeGreaterThan(4096);
    expect(plain.text).toContain('Cannot query field');
    const squeezed = await get(stack, unknown, { ...headers, 'accept-encoding': 'gzip' });
    expect(squeezed.status).toBe(plain.status);
    expectCompressed(squeezed, 'gzip', plain);
    const small = await get(stack, '{ nope }', { ...headers, 'accept-encoding': 'gzip' });
    expect(small.text).toContain('Cannot query field');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(varies(small)).toContain('accept-encoding');
  });

  it.each([
    ['the fast path', 'POST'],
    ['yoga', 'GET'],
  ])('never compresses a subscription\'s event stream (%s)', async (_path, method) => {
    const query = 'subscription { trainingJobs(perPage: 1000) { totalCount jobs { id name description } } }';
    const headers = { accept: 'text/event-stream', 'accept-encoding': 'br, gzip', 'x-graphql-csrf': '1', 'content-type': 'application/json', ...AUTH };
    const path = method === 'GET' ? `/graphql?query=${encodeURIComponent(query)}` : '/graphql';
    const first = await new Promise<{ headers: Record<string, unknown>; chunk: string }>((resolve, reject) => {
      const req = request(`${stack.origin}${path}`, { method, headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('event: next')) {
            resolve({ headers: res.headers, chunk: text });
            req.destroy();
          }
        });
      });
      req.on('error', reject);
      req.end(method === 'POST' ? JSON.stringify({ query }) : undefined);
    });
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(['br', 'gzip']).not.toContain(first.headers['content-encoding']);
    expect(first.chunk).toContain('event: next');
  });

  it('serves GraphiQL pre-compressed by the same negotiation, weights included', async () => {
    const page = (accept: string) => send(stack.origin, 'GET', '/graphql', { accept: 'text/html', 'accept-encoding': accept, origin: ORIGIN });
    const plain = await page('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toContain('renderYogaGraphiQL');
    for (const [accept, encoding] of [['gzip, br', 'br'], ['gzip;q=0.5, br;q=0.1', 'gzip'], ['br;q=0, *', 'gzip'], ['x-gzip', 'gzip']] as const) {
      const raw = await page(accept);
      expect(raw.headers['content-encoding'], accept).toBe(encoding);
      expect(Number(raw.headers['content-length'])).toBe(raw.wire.length);
      expect(raw.text).toBe(plain.text);
    }
    for (const accept of ['br;q=0, gzip;q=0', 'deflate', 'gzip;q=x']) {
      const raw = await page(accept);
      expect(raw.headers['content-encoding'], accept).toBeUndefined();
      expect(raw.wire.length).toBe(plain.wire.length);
    }
    expect(varies(plain)).toEqual(['origin', 'accept', 'accept-encoding']);
  });

  it('answers HEAD for GraphiQL and /metrics with the headers GET would have, and no body', async () => {
    const headers = { accept: 'text/html', 'accept-encoding': 'br' };
    const [head, full] = await Promise.all([send(stack.origin, 'HEAD', '/graphql', headers), send(stack.origin, 'GET', '/graphql', headers)]);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.wire.length).toBe(0);
    const metrics = await send(stack.origin, 'HEAD', '/metrics', { 'accept-encoding': 'gzip' });
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-encoding']).toBe('gzip');
    expect(Number(metrics.headers['content-length'])).toBeGreaterThan(0);
    expect(metrics.wire.length).toBe(0);
  });

  it('compresses /metrics for Prometheus, and never the probes', async () => {
    const plain = await send(stack.origin, 'GET', '/metrics', {});
    const metrics = await send(stack.origin, 'GET', '/metrics', { 'accept-encoding': 'gzip' });
    expect(metrics.headers['content-encoding']).toBe('gzip');
    expect(metrics.headers['content-type']).toBe(plain.headers['content-type']);
    expect(metrics.text).toContain('gateway_http_requests_in_flight');
    expect(metrics.wire.length).toBeLessThan(plain.wire.length / 3);
    for (const path of ['/health', '/ready']) {
      const probe = await send(stack.origin, 'GET', path, { 'accept-encoding': 'gzip, br' });
      expect(probe.headers['content-encoding']).toBeUndefined();
      expect(probe.headers['vary']).toBeUndefined();
    }
  });
});

describe('over HTTP, with COMPRESSION set', () => {
  const stacks: Stack[] = [];
  const start = async (compression: { encodings: Encoding[]; minBytes: number }) => {
    const stack = await startStack({ emulator: { jobs: generateJobs(1000, 7) }, compression });
    stacks.push(stack);
    return stack;
  };
  afterAll(() => Promise.all(stacks.map((s) => s.close())));

  it('off: nothing is ever compressed, and nothing varies on Accept-Encoding', async () => {
    const stack = await start({ encodings: [], minBytes: 4096 });
    const identity = await post(stack, PAGE);
    const accepts = { 'accept-encoding': 'br, gzip' };
    for (const raw of [
      await post(stack, PAGE, accepts),
      await post(stack, PAGE, accepts, { extensions: { client: 'test' } }),
      await get(stack, PAGE, { accept: 'application/json', ...accepts }),
    ]) {
      expectIdentity(raw, identity);
      expect(varies(raw)).not.toContain('accept-encoding');
    }
    const metrics = await send(stack.origin, 'GET', '/metrics', accepts);
    expect(metrics.headers['content-encoding']).toBeUndefined();
    const graphiql = await send(stack.origin, 'GET', '/graphql', { accept: 'text/html', ...accepts });
    expect(graphiql.headers['content-encoding']).toBeUndefined();
    expect(graphiql.text).toContain('renderYogaGraphiQL');
    expect(varies(graphiql)).toEqual(['accept']);
  });

  it('gzip only: br is never sent, even when preferred', async () => {
    const stack = await start({ encodings: ['gzip'], minBytes: 4096 });
    const identity = await post(stack, PAGE);
    expectCompressed(await post(stack, PAGE, { 'accept-encoding': 'br, gzip;q=0.1' }), 'gzip', identity);
    expectIdentity(await post(stack, PAGE, { 'accept-encoding': 'br' }), identity);
    const graphiql = await send(stack.origin, 'GET', '/graphql', { accept: 'text/html', 'accept-encoding': 'br' });
    expect(graphiql.headers['content-encoding']).toBeUndefined();
  });

  it('a threshold of 0 compresses small answers too; a high one leaves large ones whole', async () => {
    const eager = await start({ encodings: ['br', 'gzip'], minBytes: 0 });
    const small = await post(eager, SMALL, { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBe('gzip');
    expect(small.text).toBe((await post(eager, SMALL)).text);
    expect(small.text).toMatch(/^\{"data":\{"trainingJobs":\{"totalCount":\d+\}\}\}$/);
    const lazy = await start({ encodings: ['br', 'gzip'], minBytes: 1024 * 1024 });
    const identity = await post(lazy, PAGE);
    const big = await post(lazy, PAGE, { 'accept-encoding': 'gzip' });
    expectIdentity(big, identity);
    expect(varies(big)).toContain('accept-encoding');
  });
});
