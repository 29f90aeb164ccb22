/**
 * The HTTP families: requests a GraphQL client would never send (methods, content types, bodies,
 * 2 MB documents, raw bytes that break HTTP/1.1 framing) and valid queries under odd headers, for the
 * layers below GraphQL that must answer them too.
 */
import { gzipSync } from 'node:zlib';
import { acceptHeader, authHeaders, commonHeaders, requestIdHeader, SECRET } from './headers.ts';
import { gqlString, validOperation } from './operations.ts';
import { getWithParams, post, type FuzzRequest } from './requests.ts';
import { HEADER_ALPHABET, ODD_ASCII, Rng } from './rng.ts';

const TWO_MB = 2 * 1024 * 1024;

function rawRequest(kind: string, text: string | Buffer, mayNotAnswer = false): FuzzRequest {
  return {
    family: 'http',
    kind: `raw: ${kind}`,
    method: 'RAW',
    path: '/graphql',
    headers: {},
    raw: typeof text === 'string' ? Buffer.from(text, 'latin1') : text,
    mayNotAnswer,
  };
}

export function httpRequestCase(r: Rng): FuzzRequest {
  const query = '{ trainingJobs(perPage: 1) { totalCount } }';
  const validBody = JSON.stringify({ query });
  const headers = commonHeaders(r);
  const c = r.int(0, 29);
  switch (c) {
    case 0:
    case 1: {
      const method = r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD']);
      const withBody = method !== 'HEAD' && method !== 'TRACE' && r.bool(0.7);
      return {
        family: 'http',
        kind: `method ${method}`,
        method,
        path: r.pick(['/graphql', `/graphql?query=${encodeURIComponent(query)}`]),
        headers: { ...headers, ...(withBody ? { 'content-type': 'application/json' } : {}) },
        ...(withBody ? { body: Buffer.from(validBody) } : {}),
      };
    }
    case 2:
    case 3: {
      const type = r.pick([
        'text/plain',
        'text/plain; charset=utf-8',
        'multipart/form-data',
        'multipart/form-data; boundary=----x',
        'application/x-www-form-urlencoded',
        'application/graphql',
        'application/json; charset=latin1',
        'application/json;;;',
        'APPLICATION/JSON',
        'application/jsonx',
        'application/graphql-response+json',
        'garbage',
        '',
        ';',
        'text/html',
        'application/octet-stream',
        '*/*',
      ]);
      const body = type.startsWith('application/x-www-form-urlencoded')
        ? r.pick([new URLSearchParams({ query }).toString(), validBody, 'query=%ZZ&&&=', 'a=b'])
        : type.startsWith('multipart')
          ? r.pick([validBody, `------x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${validBody}\r\n------x--\r\n`, '------x\r\n\r\n', '--'])
          : type === 'application/graphql'
            ? r.pick([query, validBody, 'garbage {'])
            : validBody;
      const h: Record<string, string | string[]> = { ...headers };
      if (type !== '' || r.bool()) h['content-type'] = type;
      return { family: 'http', kind: `content-type ${type || '(missing)'}`, method: 'POST', path: '/graphql', headers: h, body: Buffer.from(body) };
    }
    case 4:
    case 5: {
      const body = r.pick([
        '',
        ' ',
        '{',
        '}',
        '{"query": "{ __typename }"',
        '{"query": "{ __typename }"}}',
        "{'query': '{ __typename }'}",
        '{"query": "{ __typename }",}',
        '{query: "{ __typename }"}',
        'query={__typename}',
        '\u0000\u0001\u0002',
        '\ufeff{"query": "{ __typename }"}',
        '{"query": "\\ud800"}',
        '{"query": "{ __typename }", "query": 5}',
        '{"query": "{ __typename }"}\n{"query": "{ __typename }"}',
        `{"query": "${'\\'.repeat(1001)}"}`,
        r.chars(ODD_ASCII, r.int(1, 500)),
        '{"__proto__": {"query": "{ __typename }"}}',
        '{"constructor": {"prototype": {"query": 1}}}',
        'NaN',
        'Infinity',
        '{"query": "{ __typename }", "variables": NaN}',
      ]);
      return { family: 'http', kind: 'body that is not JSON', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(body) };
    }
    case 6:
    case 7: {
      const payload = r.pick<unknown>([
        [],
        [{ query }],
        [{ query }, { query: '{ __typename }' }],
        Array.from({ length: 100 }, () => ({ query })),
        0,
        -1,
        1e308,
        'query',
        query,
        null,
        true,
        false,
        {},
      ]);
      return post('http', `JSON that is not an object (${Array.isArray(payload) ? 'array' : payload === null ? 'null' : typeof payload})`, payload, headers);
    }
    case 8:
    case 9: {
      const value = r.pick<unknown>([5, 0, {}, { query }, [], [query], null, true, '', ' ', '#', 1e308]);
      return post('http', `query of type ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`, { query: value }, headers);
    }
    case 10:
    case 11: {
      const variables = r.pick<unknown>(['{}', '{"a": 1}', 'not json', '', [], [1, 2], 5, true, 'null', { __proto__: { polluted: true } }, JSON.parse('{"__proto__": {"polluted": true}}')]);
      return post('http', `variables of type ${Array.isArray(variables) ? 'array' : typeof variables}`, { query: 'query ($p: Int! = 1) { trainingJobs(page: $p) { totalCount } }', variables }, headers);
    }
    case 12: {
      const extensions = r.pick<unknown>(['garbage', 5, [], [1], null, true, { persistedQuery: { version: 1, sha256Hash: 'abc' } }, { persistedQuery: 'x' }, { a: { b: { c: [] } } }, '']);
      return post('http', 'extensions garbage', { query, extensions }, headers);
    }
    case 13: {
      const operationName = r.pick<unknown>(['Nowhere', '', 5, null, {}, [], 'A', 'a'.repeat(10_000)]);
      return post('http', 'operationName pointing nowhere', { query: r.pick([query, 'query A { __typename } query B { __typename }', 'query A { __typename }']), operationName }, headers);
    }
    case 14:
    case 15: {
      const params = r.pick<Record<string, string>>([
        { query },
        { query: '{ __typename }', variables: 'not json' },
        { query: '{ __typename }', variables: '[1]' },
        { query: '{ __typename }', variables: '{' },
        { query: '{ __typename }', extensions: '{"persistedQuery":1}' },
        { query: '{ __typename }', operationName: 'Nope' },
        { query: '' },
        { query: 'mutation { x }' },
        { query: 'subscription { x }' },
        { query: '{' },
        {},
        { q: '{ __typename }' },
        { query: 'x'.repeat(6000) },
      ]);
      const req = getWithParams('http', 'GET with query params', params, headers);
      if (r.bool(0.2)) req.path += r.pick(['&query=%ZZ', '&query={a}&query={b}', '&%00=%00', '&variables=%7B', '#frag', '&&&', '&query']);
      return req;
    }
    case 16: {
      // A 2 MB document, with Content-Length or chunked (about 10 of them).
      if (r.bool(0.5)) return rawCase(r);
      const chunked = r.bool();
      const filler = r.int(0, 3);
      const doc =
        filler === 0
          ? `# ${'x'.repeat(TWO_MB)}\n{ __typename }`
          : filler === 1
            ? `{ ${' '.repeat(TWO_MB)} __typename }`
            : filler === 2
              ? `{ trainingJobs(search: ${gqlString('y'.repeat(TWO_MB))}) { totalCount } }`
              : `{ ${'a '.repeat(TWO_MB / 2)} }`;
      return { family: 'http', kind: `2 MB document (${chunked ? 'chunked' : 'Content-Length'})`, method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ query: doc })), chunked };
    }
    case 17: {
      if (r.bool(0.5)) return rawCase(r);
      const body = r.pick([
        () => Buffer.from(`{"query": "{ __typename }", "pad": "${'z'.repeat(TWO_MB)}"}`),
        () => Buffer.from(r.chars(ODD_ASCII, 1024).repeat(TWO_MB / 1024)),
        () => Buffer.from(JSON.stringify({ query, variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])) })),
      ])();
      return { family: 'http', kind: '2 MB body that is not a document', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body, chunked: r.bool() };
    }
    case 18:
      return { family: 'http', kind: 'chunked body', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(validBody), chunked: true };
    case 19: {
      const encoding = r.pick(['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip']);
      const body = encoding === 'gzip' && r.bool() ? gzipSync(validBody) : Buffer.from(validBody);
      return { family: 'http', kind: `content-encoding ${encoding}`, method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json', 'content-encoding': encoding }, body };
    }
    case 20: {
      const path = r.pick(['/', '/graphql/', '/GRAPHQL', '/graphql/x', '/graphiql', '/health', '/ready', '/metrics', '/favicon.ico', '//graphql', '/graphql%00', '/%2e%2e/graphql', '/graphql;x', `/${'a'.repeat(4000)}`, '/.env', '/health?x=1']);
      return { family: 'http', kind: 'other paths', method: r.pick(['GET', 'POST', 'HEAD']), path, headers: r.bool() ? { ...headers, 'content-type': 'application/json' } : headers, ...(r.bool() ? { body: Buffer.from(validBody) } : {}) };
    }
    case 21:
      return { family: 'http', kind: 'empty POST', method: 'POST', path: '/graphql', headers: r.bool() ? { ...headers, 'content-type': 'application/json' } : headers, body: Buffer.alloc(0) };
    case 23:
      if (r.bool(0.7)) return rawCase(r);
      // A request head beyond Node's 16 KB limit: a long URL or a huge credential.
      return r.bool()
        ? { family: 'http', kind: 'request head over 16 KB', method: 'GET', path: `/graphql?query=${encodeURIComponent(`{ __typename ${'#'.repeat(17_000)}\n}`)}`, headers }
        : post('http', 'request head over 16 KB', { query }, { ...headers, 'x-auth-token': `${SECRET}${'t'.repeat(17_000)}` });
    case 22:
      return { family: 'http', kind: 'accept variants', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json', accept: r.pick(['image/png', 'text/html', 'application/graphql-response+json;q=0', 'text/event-stream', 'multipart/mixed', '', '*/*;q=0.1', 'application/json, text/html']) }, body: Buffer.from(validBody) };
    default:
      return rawCase(r);
  }
}

function rawCase(r: Rng): FuzzRequest {
  const body = '{"query":"{ __typename }"}';
  const cl = Buffer.byteLength(body);
  const c = r.int(0, 17);
  switch (c) {
    case 0:
      return rawRequest('unknown method', `${r.pick(['FOO', 'GETT', 'get', 'P0ST', 'BREW'])} /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 1:
      // Node skips empty lines before a request line and waits for one: the client hangs up.
      if (r.bool(0.15)) return rawRequest('empty lines only, client closes', '\r\n\r\n', true);
      return rawRequest('garbage request line', r.pick(['GET\r\n\r\n', 'GET /graphql\r\n\r\n', 'GET /graphql HTTP/1.1 extra\r\nHost: x\r\n\r\n', `${r.chars(ODD_ASCII, 100)}\r\n\r\n`, 'POST /gra phql HTTP/1.1\r\nHost: x\r\n\r\n']));
    case 2:
      return rawRequest('HTTP version', `GET /graphql?query=%7B__typename%7D HTTP/${r.pick(['1.0', '1.2', '2.0', '9.9', '0.9', 'x'])}\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    case 3:
      return rawRequest('bad Content-Length', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${r.pick(['abc', '-1', '1.5', `${cl}, ${cl + 1}`, '99999999999999999999', ' '])}\r\nConnection: close\r\n\r\n${body}`);
    case 4:
      return rawRequest('duplicate Content-Length', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nContent-Length: ${cl + 3}\r\nConnection: close\r\n\r\n${body}`);
    case 5:
      return rawRequest('Content-Length and Transfer-Encoding', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${cl.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    case 6:
      return rawRequest('bad chunk framing', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${r.pick(['zz\r\nabc\r\n0\r\n\r\n', `${(cl + 5).toString(16)}\r\n${body}\r\n0\r\n\r\n`, `${cl.toString(16)};ext=${'e'.repeat(20_000)}\r\n${body}\r\n0\r\n\r\n`, '-1\r\n\r\n'])}`);
    case 7:
      return rawRequest('Content-Length shorter than body (smuggling)', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n${body}GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 8:
      return rawRequest('body cut short, client closes', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl + r.int(1, 5000)}\r\n\r\n${body.slice(0, r.int(0, cl))}`, true);
    case 9:
      return rawRequest('chunked body cut short, client closes', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${cl.toString(16)}\r\n${body.slice(0, 5)}`, true);
    case 10:
      return rawRequest('malformed header line', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\n${r.pick(['NoColon', 'Bad Name: x', ' folded: x', 'X-A : b', ': empty', 'X-Nul: a\u0000b', 'X-Ctl: a\u0001b'])}\r\nConnection: close\r\n\r\n`);
    case 11:
      return rawRequest('obs-fold header', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nX-Auth-Token: ${SECRET}\r\n  continued\r\nConnection: close\r\n\r\n`);
    case 12:
      return rawRequest('missing Host', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    case 13:
      return rawRequest('latin-1 token bytes', Buffer.concat([Buffer.from(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nConnection: close\r\nX-Auth-Token: ${SECRET}`), Buffer.from([0xe9, 0xff, 0x80]), Buffer.from(`\r\n\r\n${body}`)]));
    case 14:
      return rawRequest('bare LF line endings', `GET /graphql?query=%7B__typename%7D HTTP/1.1\nHost: x\nAccept: application/json\nConnection: close\n\n`);
    case 15:
      return rawRequest('pipelined requests', `${`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Auth-Token: ${SECRET}\r\nContent-Length: ${cl}\r\n\r\n${body}`.repeat(r.int(2, 10))}GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 16:
      return rawRequest('absolute and odd request targets', `GET ${r.pick(['http://evil.example/graphql?query=%7B__typename%7D', '*', '/graphql?query=%7B__typename%7D#x', '/graphql?query=%7B__typename', '/graphql?query=\u00e9'])} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    default:
      return rawRequest('Expect: 100-continue', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: ${r.pick(['100-continue', 'nonsense'])}\r\nContent-Length: ${cl}\r\nConnection: close\r\n\r\n${body}`);
  }
}

export function headersRequest(r: Rng): FuzzRequest {
  const op = validOperation(new Rng(r.int(0, 2 ** 31)));
  const headers: Record<string, string | string[]> = { ...acceptHeader(r), ...authHeaders(r), ...requestIdHeader(r) };
  if (r.bool(0.2)) {
    headers[r.pick(['cookie', 'x-forwarded-for', 'forwarded', 'origin', 'referer', 'user-agent', 'accept-language', 'x-http-method-override'])] = r.pick([
      r.chars(ODD_ASCII, r.int(0, 300)),
      'x'.repeat(4000),
      'PUT',
      'null',
      'evil.example',
    ]);
  }
  if (r.bool(0.15)) {
    // Many small headers.
    for (let i = 0; i < r.int(10, 90); i++) headers[`x-fuzz-${i}`] = r.chars(HEADER_ALPHABET, 20);
  }
  const useQuery = r.bool(0.5)
    ? { query: '{ trainingJobs(perPage: 2) { totalCount jobs { id name } } }' }
    : op;
  if (r.bool(0.15)) return getWithParams('headers', 'GET with odd headers', { query: useQuery.query }, headers);
  return post('headers', 'POST with odd headers', useQuery, headers);
}
