// Upstream answers that are not a page become DESIGN.md error codes: the HTTP status decides
// the class (DESIGN.md "Error classes by status"), the body only adds what is safe to show
// (UPSTREAM.md "Errors").
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { GatewayError, type ErrorCode, type UpstreamInfo } from '../../src/errors.ts';
import { classifyResponse, upstreamInfo } from '../../src/upstream/classify.ts';

const UPSTREAM_TEXT = 'Internal detail: db-7.internal.example refused at /srv/modelarts';
const BODY_REQUEST_ID = '0123456789abcdef0123456789abcdef';
const HEADER_REQUEST_ID = 'req-from-header-42';

const STATUSES: [number, ErrorCode][] = [
  [400, 'BAD_USER_INPUT'],
  [401, 'UNAUTHENTICATED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [408, 'UPSTREAM_TIMEOUT'],
  [429, 'RATE_LIMITED'],
  [500, 'UPSTREAM_ERROR'],
  [502, 'UPSTREAM_UNAVAILABLE'],
  [503, 'UPSTREAM_UNAVAILABLE'],
  [504, 'UPSTREAM_UNAVAILABLE'],
  [200, 'UPSTREAM_ERROR'],
  [201, 'UPSTREAM_ERROR'],
  [204, 'UPSTREAM_ERROR'],
  [301, 'UPSTREAM_ERROR'],
  [302, 'UPSTREAM_ERROR'],
  [304, 'UPSTREAM_ERROR'],
  [405, 'UPSTREAM_ERROR'],
  [409, 'UPSTREAM_ERROR'],
  [413, 'UPSTREAM_ERROR'],
  [418, 'UPSTREAM_ERROR'],
  [422, 'UPSTREAM_ERROR'],
  [501, 'UPSTREAM_ERROR'],
  [505, 'UPSTREAM_ERROR'],
  [507, 'UPSTREAM_ERROR'],
  [599, 'UPSTREAM_ERROR'],
];

interface BodyShape {
  shape: string;
  body: unknown;
  /** What extensions.upstream carries besides httpStatus. */
  expected: Omit<UpstreamInfo, 'httpStatus'>;
}

const BODIES: BodyShape[] = [
  {
    shape: 'a v1 body',
    body: { is_success: false, error_code: 'ModelArts.0105', error_message: UPSTREAM_TEXT },
    expected: { errorCode: 'ModelArts.0105', requestId: HEADER_REQUEST_ID },
  },
  {
    shape: 'a v1 body spelled error_msg',
    body: { is_success: false, error_code: 'ModelArts.2764', error_msg: UPSTREAM_TEXT },
    expected: { errorCode: 'ModelArts.2764', requestId: HEADER_REQUEST_ID },
  },
  {
    shape: 'a ModelArts body',
    body: { error_code: 'ModelArts.0201', error_msg: UPSTREAM_TEXT },
    expected: { errorCode: 'ModelArts.0201', requestId: HEADER_REQUEST_ID },
  },
  {
    shape: 'an APIGW. gateway body',
    body: { error_code: 'APIGW.0301', error_msg: UPSTREAM_TEXT, request_id: BODY_REQUEST_ID },
    expected: { errorCode: 'APIGW.0301', requestId: BODY_REQUEST_ID },
  },
  {
    shape: 'an APIG. gateway body',
    body: { error_code: 'APIG.0308', error_msg: UPSTREAM_TEXT, request_id: BODY_REQUEST_ID },
    expected: { errorCode: 'APIG.0308', requestId: BODY_REQUEST_ID },
  },
  { shape: 'no body', body: undefined, expected: { requestId: HEADER_REQUEST_ID } },
  { shape: 'an empty body', body: '', expected: { requestId: HEADER_REQUEST_ID } },
  {
    shape: 'an HTML body',
    body: `<html><body><h1>502 Bad Gateway</h1><p>${UPSTREAM_TEXT}</p></body></html>`,
    expected: { requestId: HEADER_REQUEST_ID },
  },
  { shape: 'a JSON null body', body: null, expected: { requestId: HEADER_REQUEST_ID } },
  { shape: 'a JSON array body', body: [{ error_code: 'ModelArts.0105' }], expected: { requestId: HEADER_REQUEST_ID } },
  {
    shape: 'a page body that fails the documented shape',
    body: { is_success: true, job_total_count: 'many', jobs: 'none' },
    expected: { requestId: HEADER_REQUEST_ID },
  },
];

describe.each(STATUSES)('classifyResponse for HTTP %i', (status, code) => {
  it.each(BODIES)(`gives ${code} for $shape`, ({ body, expected }) => {
    const error = classifyResponse(status, body, HEADER_REQUEST_ID);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.code).toBe(code);
    expect(error.extensions['code']).toBe(code);
    expect(error.extensions['upstream']).toEqual({ httpStatus: status, ...expected });
    expect(error.message).not.toContain(UPSTREAM_TEXT);
    expect(error.message).not.toMatch(/ModelArts\.|APIGW?\./);
    expect(error.message).not.toContain(BODY_REQUEST_ID);
    expect(error.message).not.toContain(HEADER_REQUEST_ID);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('leaves requestId out when neither body nor header carries one', () => {
    const error = classifyResponse(status, { error_code: 'ModelArts.0010', error_msg: UPSTREAM_TEXT });
    expect(error.extensions['upstream']).toEqual({ httpStatus: status, errorCode: 'ModelArts.0010' });
  });
});

describe('classifyResponse decides by status, not by error code', () => {
  it.each<[number, string, ErrorCode]>([
    [401, 'APIGW.0301', 'UNAUTHENTICATED'],
    [400, 'APIGW.0301', 'BAD_USER_INPUT'],
    [403, 'ModelArts.2786', 'FORBIDDEN'],
    [404, 'ModelArts.2786', 'NOT_FOUND'],
    [200, 'APIGW.0308', 'UPSTREAM_ERROR'],
    [500, 'APIGW.0308', 'UPSTREAM_ERROR'],
    [429, 'ModelArts.0010', 'RATE_LIMITED'],
    [503, 'ModelArts.0201', 'UPSTREAM_UNAVAILABLE'],
  ])('gives HTTP %i with %s the code %s', (status, errorCode, code) => {
    const error = classifyResponse(status, { error_code: errorCode, error_msg: UPSTREAM_TEXT });
    expect(error.extensions['code']).toBe(code);
    expect(error.extensions['upstream']).toEqual({ httpStatus: status, errorCode });
  });
});

describe('upstreamInfo', () => {
  it.each<[string, number | undefined, unknown, string | undefined, UpstreamInfo]>([
    ['everything known', 401, { error_code: 'APIGW.0301', request_id: BODY_REQUEST_ID }, HEADER_REQUEST_ID, { httpStatus: 401, errorCode: 'APIGW.0301', requestId: BODY_REQUEST_ID }],
    ['the body request id before the header', 502, { request_id: BODY_REQUEST_ID }, HEADER_REQUEST_ID, { httpStatus: 502, requestId: BODY_REQUEST_ID }],
    ['the header request id when the body has none', 500, { error_code: 'ModelArts.0010' }, HEADER_REQUEST_ID, { httpStatus: 500, errorCode: 'ModelArts.0010', requestId: HEADER_REQUEST_ID }],
    ['the header request id when the body is empty text', 502, '', HEADER_REQUEST_ID, { httpStatus: 502, requestId: HEADER_REQUEST_ID }],
    ['the header request id when the body request id is empty', 502, { request_id: '' }, HEADER_REQUEST_ID, { httpStatus: 502, requestId: HEADER_REQUEST_ID }],
    ['no status when none was received', undefined, undefined, HEADER_REQUEST_ID, { requestId: HEADER_REQUEST_ID }],
    ['nothing at all', undefined, undefined, undefined, {}],
    ['status 200 included', 200, { is_success: false, error_code: 'ModelArts.0105' }, undefined, { httpStatus: 200, errorCode: 'ModelArts.0105' }],
    ['a code of exactly 128 characters', 400, { error_code: 'A'.repeat(128) }, undefined, { httpStatus: 400, errorCode: 'A'.repeat(128) }],
    ['a code with colons, dashes and underscores', 400, { error_code: 'Mod_el-Arts:01.05' }, undefined, { httpStatus: 400, errorCode: 'Mod_el-Arts:01.05' }],
    ['a UUID request id', 400, { request_id: '6f1c4a1e-3d2b-4c7a-9e1f-2a3b4c5d6e7f' }, undefined, { httpStatus: 400, requestId: '6f1c4a1e-3d2b-4c7a-9e1f-2a3b4c5d6e7f' }],
  ])('reports %s', (_what, status, body, header, expected) => {
    expect(upstreamInfo(status, body, header)).toEqual(expected);
  });

  const UNSAFE: [string, unknown][] = [
    ['a value with spaces', 'ModelArts 0105'],
    ['a script tag', '<script>alert(1)</script>'],
    ['an https URL', 'https://evil.example.com/phish'],
    ['a path', '/v1/proj/training-jobs'],
    ['a query fragment', 'id?token=abc'],
    ['129 characters', 'A'.repeat(129)],
    ['a newline', 'ModelArts.0105\nSet-Cookie: x=1'],
    ['a trailing newline', 'ModelArts.0105\n'],
    ['quotes', '"ModelArts.0105"'],
    ['non-ASCII letters', 'ModelArts.０１０５'],
    ['a Chinese message', '参数错误'],
    ['an empty string', ''],
    ['a number', 105],
    ['an object', { code: 'ModelArts.0105' }],
    ['null', null],
    ['true', true],
  ];

  it.each(UNSAFE)('drops an error code that is %s', (_what, value) => {
    const info = upstreamInfo(400, { error_code: value, error_msg: UPSTREAM_TEXT });
    expect(info).toEqual({ httpStatus: 400 });
    expect(classifyResponse(400, { error_code: value }).extensions['upstream']).toEqual({ httpStatus: 400 });
  });

  it.each(UNSAFE)('drops a body request id that is %s, falling back to the header', (_what, value) => {
    expect(upstreamInfo(503, { request_id: value }, HEADER_REQUEST_ID)).toEqual({ httpStatus: 503, requestId: HEADER_REQUEST_ID });
  });

  it.each(UNSAFE.filter((row): row is [string, string] => typeof row[1] === 'string'))(
    'drops a header request id that is %s',
    (_what, value) => {
      expect(upstreamInfo(503, undefined, value)).toEqual({ httpStatus: 503 });
      expect(classifyResponse(503, '<html></html>', value).extensions['upstream']).toEqual({ httpStatus: 503 });
    },
  );
});
