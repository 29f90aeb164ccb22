/**
 * HTTP caching of GET answers (DESIGN.md "HTTP caching of GET answers"; compression.ts and
 * http/etag.ts): over real sockets against the emulator, a successful GET answer, by a query in
 * the URL or by a persisted id, carries a strong tag per representation, and a client holding
 * it gets 304 while the query still runs; compressed or not; the same on two replicas; and
 * nothing else (POST, errors, GraphiQL, SSE) is ever tagged. Bodies are read raw (node:http,
 * which decodes nothing) and decoded here, so that the tags are checked against the identity
 * bytes the contract names.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, generateJobs, type Emulator } from '../../src/emulator/index.ts';
import type { PersistedMode } from '../../src/server/plugins/persisted-operations.ts';
import { startReplicas } from '../support/fleet.ts';
import type { GatewayProcess } from '../support/process.ts';
import { send, varies, type Raw } from '../support/raw-http.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const SMALL = 'query Small { trainingJobs(perPage: 2) { totalCount jobs { id name } } }';
// About 270 KB whole: far above COMPRESSION_MIN_BYTES.
const PAGE = 'query Page { trainingJobs(perPage: 1000) { totalCount jobs { id name description status statusCode versionId createdAt duration } } }';
const JOBS = generateJobs(1000, 7);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const manifestFile = join(mkdtempSync(join(tmpdir(), 'http-caching-')), 'persisted-documents.json');
writeFileSync(manifestFile, JSON.stringify({ [sha256(SMALL)]: SMALL, [sha256(PAGE)]: PAGE }));
const persisted = (mode: PersistedMode) => ({ manifest: new Map([[sha256(SMALL), SMALL], [sha256(PAGE), PAGE]]), mode });

/** The tag the contract gives a body: the SHA-256 of its identity bytes (22 base64url characters), quoted. */
const tagOf = (identity: string, coding?: string) =>
  `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}${coding === undefined ? '' : `-${coding}`}"`;

/** A stream's status and headers, without waiting for it to end. */
function headersOf(origin: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Pick<Raw, 'status' | 'headers'>> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      req.destroy();
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Path = (query: string) => string;
const byQuery: Path = (query) => `/graphql?query=${encodeURIComponent(query)}`;
const byId: Path = (query) =>
  `/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(query) } }))}`;

// yoga's CSRF prevention wants the header on every GET (docs/security.md).
const get = (origin: string, path: string, extra: Record<string, string> = {}) => send(origin, 'GET', path, { 'x-graphql-csrf': '1', ...AUTH, ...extra });
const post = (origin: string, params: Record<string, unknown>, extra: Record<string, string> = {}) =>
  send(origin, 'POST', '/graphql', { 'content-type': 'application/json', ...AUTH, ...extra }, JSON.stringify(params));

function expectTagged(raw: Raw, coding?: string) {
  expect(raw.status).toBe(200);
  expect(JSON.parse(raw.text)).not.toHaveProperty('errors');
  expect(raw.headers['content-encoding']).toBe(coding);
  // Strong (no W/), quoted, and the hash of the identity body whatever went out.
  expect(raw.headers['etag']).toMatch(/^"[\w-]+"$/);
  expect(raw.headers['etag']).toBe(tagOf(raw.text, coding));
  expect(raw.headers['cache-control']).toBe('private, no-cache');
  expect(varies(raw)).toEqual(['accept-encoding', 'authorization', 'x-auth-token']);
}

/** A 304: no body and no header that describes one, the validators and Vary of the 200. */
function expectNotModified(raw: Raw, full: Raw) {
  expect(raw.status).toBe(304);
  expect(raw.wire.length).toBe(0);
  expect(raw.headers['etag']).toBe(full.headers['etag']);
  expect(raw.headers['cache-control']).toBe(full.headers['cache-control']);
  expect(raw.headers['vary']).toBe(full.headers['vary']);
  for (const name of ['content-length', 'content-encoding', 'content-type', 'transfer-encoding']) expect(raw.headers[name], name).toBeUndefined();
}

function expectUntagged(raw: Pick<Raw, 'status' | 'headers'>) {
  expect(raw.status).not.toBe(304);
  expect(raw.headers['etag']).toBeUndefined();
  expect(raw.headers['cache-control']).not.toBe('private, no-cache');
}

describe.each<[string, PersistedMode | undefined, Path]>([
  ['a query in the URL', undefined, byQuery],
  ['a persisted id, allow-list mode', 'allowlist', byId],
  ['a persisted id, mixed mode', 'mixed', byId],
])('GET by %s', (_how, mode, path) => {
  let stack: Stack;
  let full: Raw;
  beforeAll(async () => {
    stack = await startStack({ emulator: { jobs: JOBS }, ...(mode === undefined ? {} : { persisted: persisted(mode) }) });
    full = await get(stack.origin, path(SMALL));
  });
  afterAll(() => stack.close());

  it('tags a success with a strong ETag, Cache-Control: private, no-cache and the credential in Vary', () => {
    expectTagged(full);
    expect(JSON.parse(full.text).data.trainingJobs.jobs).toHaveLength(2);
  });

  it('answers 304 with no body to a client holding the tag, and still asks the upstream', async () => {
    stack.emulator.clearRequests();
    const again = await get(stack.origin, path(SMALL));
    expect(again.headers['etag']).toBe(full.headers['etag']);
    expectNotModified(await get(stack.origin, path(SMALL), { 'if-none-match': full.headers['etag'] as string }), full);
    // Both asked the upstream the same: only the bytes were saved.
    expect(stack.emulator.requests).toHaveLength(2);
    expect(stack.emulator.requests[1]!.query).toBe(stack.emulator.requests[0]!.query);
  });

  it('counts a 304 as a success in the log line and the metrics', async () => {
    const before = stack.logs.length;
    const answer = await get(stack.origin, path(SMALL), { 'if-none-match': full.headers['etag'] as string, 'x-request-id': 'etag-304' });
    expect(answer.status).toBe(304);
    const line = stack.logs.slice(before).find((l) => l['requestId'] === 'etag-304');
    expect(line).toMatchObject({ msg: 'request', status: 304, level: 30, operation: 'Small' });
    expect(line).not.toHaveProperty('errorCode');
    const { values } = await stack.gateway.telemetry.registry.getSingleMetric('gateway_graphql_requests_total')!.get();
    const outcomes = values.filter((v) => v.labels['operation'] === 'Small').map((v) => v.labels['outcome']);
    expect(outcomes).toEqual(['ok']);
  });

  it.each<[string, (tag: string) => string]>([
    ['the tag made weak', (tag) => `W/${tag}`],
    ['*', () => '*'],
    ['a list holding it', (tag) => `"other", W/"stale",${tag} , "more"`],
    ['a list holding its weak form', (tag) => `"other", W/${tag}`],
  ])('matches If-None-Match: %s', async (_what, header) => {
    const tag = full.headers['etag'] as string;
    expectNotModified(await get(stack.origin, path(SMALL), { 'if-none-match': header(tag) }), full);
  });

  it.each<[string, (tag: string) => string]>([
    ['another tag', () => '"0123456789abcdefghijkl"'],
    ['a list without it', () => '"a", W/"b"'],
    ['the tag unquoted', (tag) => tag.slice(1, -1)],
    ['the tag of another coding', (tag) => `${tag.slice(0, -1)}-gzip"`],
    ['the tag cut short', (tag) => `${tag.slice(0, -2)}"`],
    ['an empty header', () => ''],
  ])('answers 200 in full to If-None-Match: %s', async (_what, header) => {
    const raw = await get(stack.origin, path(SMALL), { 'if-none-match': header(full.headers['etag'] as string) });
    expectTagged(raw);
    expect(raw.text).toBe(full.text);
  });

  it('gives another page another tag', async () => {
    const other = await get(stack.origin, path(PAGE));
    expectTagged(other);
    expect(other.headers['etag']).not.toBe(full.headers['etag']);
  });

  it('never tags the same operation sent by POST, nor answers it 304', async () => {
    // Read by yoga itself in allow-list mode; by the fast path, or handed over by it, otherwise.
    const params = mode === undefined ? { query: SMALL } : { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(SMALL) } } };
    for (const header of [full.headers['etag'] as string, '*']) {
      const raw = await post(stack.origin, params, { 'if-none-match': header });
      expect(raw.status).toBe(200);
      expectUntagged(raw);
      expect(raw.text).toBe(full.text);
    }
  });
});

describe('with compression (br and gzip from 4096 bytes)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { jobs: JOBS }, persisted: persisted('mixed') });
  });
  afterAll(() => stack.close());

  it.each<[string, Path]>([
    ['a query in the URL', byQuery],
    ['a persisted id', byId],
  ])('gives each coding of a large answer its own tag, all of one hash of the identity body (%s)', async (_how, path) => {
    const identity = await get(stack.origin, path(PAGE));
    const gzip = await get(stack.origin, path(PAGE), { 'accept-encoding': 'gzip' });
    const br = await get(stack.origin, path(PAGE), { 'accept-encoding': 'br' });
    expect(identity.wire.length).toBeGreaterThan(200_000);
    expectTagged(identity);
    expectTagged(gzip, 'gzip');
    expectTagged(br, 'br');
    expect(gzip.text).toBe(identity.text);
    expect(br.text).toBe(identity.text);
    expect(gzip.headers['etag']).toBe(`${(identity.headers['etag'] as string).slice(0, -1)}-gzip"`);
    expect(br.headers['etag']).toBe(`${(identity.headers['etag'] as string).slice(0, -1)}-br"`);
    // Compressed: the bytes on the wire are not what was hashed.
    expect(gzip.headers['etag']).not.toBe(tagOf(gzip.wire.toString('latin1'), 'gzip'));
    expect(Number(gzip.headers['content-length'])).toBe(gzip.wire.length);
  });

  it('keeps the identity tag on a body under the threshold, whatever the client accepts', async () => {
    const small = await get(stack.origin, byQuery(SMALL), { 'accept-encoding': 'br, gzip' });
    expect(small.wire.length).toBeLessThan(4096);
    expectTagged(small);
    expect(small.headers['etag']).toBe((await get(stack.origin, byQuery(SMALL))).headers['etag']);
  });

  it('answers 304 to the tag of the coding asked for, and in full to another coding\'s', async () => {
    const gzip = await get(stack.origin, byId(PAGE), { 'accept-encoding': 'gzip' });
    const tag = gzip.headers['etag'] as string;
    expectNotModified(await get(stack.origin, byId(PAGE), { 'accept-encoding': 'gzip', 'if-none-match': tag }), gzip);
    expectNotModified(await get(stack.origin, byId(PAGE), { 'accept-encoding': 'gzip', 'if-none-match': `W/${tag}` }), gzip);
    // Another representation: its own bytes, under its own tag.
    expectTagged(await get(stack.origin, byId(PAGE), { 'accept-encoding': 'br', 'if-none-match': tag }), 'br');
    expectTagged(await get(stack.origin, byId(PAGE), { 'if-none-match': tag }));
  });
});

describe('with COMPRESSION=off', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { jobs: JOBS }, compression: { encodings: [], minBytes: 4096 } });
  });
  afterAll(() => stack.close());

  it('tags the identity body of a large answer, varying on the credential only, and answers 304', async () => {
    const raw = await get(stack.origin, byQuery(PAGE), { 'accept-encoding': 'gzip, br' });
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.wire.length).toBeGreaterThan(200_000);
    expect(raw.headers['etag']).toBe(tagOf(raw.text));
    expect(raw.headers['cache-control']).toBe('private, no-cache');
    expect(varies(raw)).toEqual(['authorization', 'x-auth-token']);
    expectNotModified(await get(stack.origin, byQuery(PAGE), { 'accept-encoding': 'gzip, br', 'if-none-match': raw.headers['etag'] as string }), raw);
  });
});

describe('across two replicas (two gateway processes over one emulator)', () => {
  let emulator: Emulator;
  let replicas: GatewayProcess[];
  beforeAll(async () => {
    emulator = await createEmulator({ jobs: JOBS }).listen(0, '127.0.0.1');
    replicas = await startReplicas(2, emulator.url, { PERSISTED_OPERATIONS: manifestFile, PERSISTED_OPERATIONS_MODE: 'mixed' });
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas ?? []) replica.child.kill('SIGKILL');
    await emulator?.close();
  });

  it.each<[string, Path, string, Record<string, string>, string | undefined]>([
    ['a small page by query', byQuery, SMALL, {}, undefined],
    ['a large page by id', byId, PAGE, {}, undefined],
    ['a large page by id, gzip', byId, PAGE, { 'accept-encoding': 'gzip' }, 'gzip'],
    ['a large page by id, br', byId, PAGE, { 'accept-encoding': 'br' }, 'br'],
  ])('gives %s the same tag on both, and each answers 304 to the other\'s tag', async (_what, path, query, headers, coding) => {
    const [a, b] = replicas as [GatewayProcess, GatewayProcess];
    const [fromA, fromB] = await Promise.all([get(a.origin, path(query), headers), get(b.origin, path(query), headers)]);
    expectTagged(fromA, coding);
    expect(fromB.headers['etag']).toBe(fromA.headers['etag']);
    expectNotModified(await get(b.origin, path(query), { ...headers, 'if-none-match': fromA.headers['etag'] as string }), fromB);
    expectNotModified(await get(a.origin, path(query), { ...headers, 'if-none-match': fromB.headers['etag'] as string }), fromA);
  });
});

describe('answers without a tag', () => {
  let stack: Stack;
  let tag: string;
  beforeAll(async () => {
    stack = await startStack({ emulator: { jobs: JOBS }, persisted: persisted('mixed'), maxAttempts: 1 });
    tag = (await get(stack.origin, byQuery(SMALL))).headers['etag'] as string;
    expect(tag).toMatch(/^"/);
  });
  afterAll(() => stack.close());

  it.each<[string, Record<string, unknown>]>([
    ['the fast path', { query: SMALL }],
    ['yoga (extensions hand it over)', { query: SMALL, extensions: { client: 'test' } }],
    ['yoga, by persisted id', { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(SMALL) } } }],
  ])('POST on %s: never tagged, never 304, whatever If-None-Match holds', async (_path, params) => {
    for (const header of [tag, '*', `W/${tag}`]) {
      const raw = await post(stack.origin, params, { 'if-none-match': header });
      expectUntagged(raw);
      expect(raw.status).toBe(200);
      expect(JSON.parse(raw.text).data.trainingJobs.jobs).toHaveLength(2);
    }
  });

  it.each<[string, string, string]>([
    ['a bad argument', '{ trainingJobs(perPage: 0) { totalCount } }', 'BAD_USER_INPUT'],
    ['a partial answer', '{ a: trainingJobs(perPage: 1) { totalCount } b: trainingJobs(perPage: 0) { totalCount } }', 'BAD_USER_INPUT'],
    ['an unknown field', '{ trainingJobs { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a syntax error', '{ trainingJobs {', 'GRAPHQL_PARSE_FAILED'],
  ])('GET with %s', async (_what, query, code) => {
    for (const extra of [{}, { accept: 'application/json' }, { 'if-none-match': '*' }] as Array<Record<string, string>>) {
      const raw = await get(stack.origin, byQuery(query), extra);
      expectUntagged(raw);
      expect(JSON.parse(raw.text).errors[0].extensions.code).toBe(code);
    }
  });

  it('GET when the upstream fails', async () => {
    stack.emulator.setFault({ status: 403, error: { shape: 'modelarts', code: 'ModelArts.0203' } });
    try {
      for (const extra of [{}, { 'if-none-match': '*' }, { 'if-none-match': tag }] as Array<Record<string, string>>) {
        const raw = await get(stack.origin, byQuery(SMALL), extra);
        expectUntagged(raw);
        expect(JSON.parse(raw.text).errors[0].extensions.code).toBe('FORBIDDEN');
      }
    } finally {
      stack.emulator.setFault(null);
    }
  });

  it('GET without the CSRF header, and with an unknown persisted id', async () => {
    const refused = await send(stack.origin, 'GET', byQuery(SMALL), { ...AUTH, 'if-none-match': '*' });
    expect(refused.status).toBe(403);
    expectUntagged(refused);
    const unknown = await get(stack.origin, byId('{ unknown }'), { 'if-none-match': '*' });
    expectUntagged(unknown);
    expect(unknown.text).toMatch(/PersistedQueryNotFound/);
  });

  it('POST of a form, which yoga reads itself', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-csrf': '1', 'if-none-match': tag, ...AUTH };
    const raw = await send(stack.origin, 'POST', '/graphql', headers, `query=${encodeURIComponent(SMALL)}`);
    expect(raw.status).toBe(200);
    expectUntagged(raw);
    expect(JSON.parse(raw.text).data.trainingJobs.jobs).toHaveLength(2);
  });

  it.each([
    ['multipart/mixed', 200],
    ['image/png', 406],
  ])('GET of a query for Accept: %s (no JSON to tag)', async (accept, status) => {
    const raw = await get(stack.origin, byQuery(SMALL), { accept, 'if-none-match': '*' });
    expect(raw.status).toBe(status);
    expectUntagged(raw);
  });

  it('GraphiQL\'s page', async () => {
    const raw = await send(stack.origin, 'GET', '/graphql', { accept: 'text/html', 'if-none-match': '*' });
    expectUntagged(raw);
    expect(raw.text).toContain('renderYogaGraphiQL');
  });

  it.each<[string, string, string, string | undefined]>([
    ['a subscription over GET', 'GET', byQuery('subscription { trainingJobs(perPage: 2) { totalCount } }'), undefined],
    ['a query over GET', 'GET', byQuery(SMALL), undefined],
    ['a subscription over POST', 'POST', '/graphql', JSON.stringify({ query: 'subscription { trainingJobs(perPage: 2) { totalCount } }' })],
  ])('SSE: %s', async (_what, method, path, body) => {
    const headers = { accept: 'text/event-stream', 'x-graphql-csrf': '1', 'content-type': 'application/json', 'if-none-match': '*', ...AUTH };
    const raw = await headersOf(stack.origin, method, path, headers, body);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toMatch(/^text\/event-stream/);
    expectUntagged(raw);
  });
});
