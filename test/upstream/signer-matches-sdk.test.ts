/**
 * Our signer against the official Node SDK's (@huaweicloud/huaweicloud-sdk-core, AKSKSigner):
 * two independent implementations must sign random requests identically, v1's GETs and v2's
 * POSTs, whose body is in the signature.
 */
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRfc3986 } from '../../src/upstream/signer.ts';
import { sdkDate, sign } from '../../src/upstream/signer.ts';
import { searchBody, type SearchCall } from '../../src/upstream/v2/body.ts';
import { PHASES } from '../../src/upstream/v2/phases.ts';

const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
type Pairs = ReadonlyArray<readonly [string, string]>;

function groupByKey(query: Pairs): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [key, value] of query) groups.set(key, [...(groups.get(key) ?? []), value]);
  return groups;
}

/**
 * The SDK's Authorization. It takes the date from headers['X-Sdk-Date'] (that exact spelling;
 * otherwise it adds one for now) and the host from headers['host'], and signs every header given.
 */
function sdkAuthorization(url: string, query: Pairs, headers: Record<string, string>, post?: { body: string }): string | undefined {
  // Repeated keys are arrays to the SDK; fromEntries makes own properties even for 'toString'.
  const params = Object.fromEntries([...groupByKey(query)].map(([k, vs]) => [k, vs.length === 1 ? vs[0] : vs]));
  const builder = new HttpRequestBuilder().withEndpoint(url).withMethod(post === undefined ? 'GET' : 'POST').withQueryParams(params).withHeaders(headers);
  if (post !== undefined) {
    // The SDK takes the body as an object and hashes JSON.stringify of it: it signs our bytes
    // only if that round trip gives them back, so a body it would not is refused here, not
    // compared against bytes we never sent.
    const data: unknown = JSON.parse(post.body);
    if (JSON.stringify(data) !== post.body) throw new Error(`the SDK would sign other bytes than ${post.body}`);
    builder.withData(data);
  }
  const request = builder.build();
  const signed = AKSKSigner.sign(request, new BasicCredentials().withAk(KEYS.ak).withSk(KEYS.sk)) as Record<string, string>;
  return signed['Authorization'];
}

const parts = (authorization: string | undefined) =>
  /SignedHeaders=(?<signedHeaders>[^,]*), Signature=(?<signature>[0-9a-f]{64})$/.exec(authorization ?? '')?.groups;

it("reproduces the signing guide's vector with the SDK, so the harness is sound", () => {
  const authorization = sdkAuthorization(
    'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
    [['limit', '2'], ['marker', '13551d6b-755d-4757-b956-536f674975c0']],
    { 'content-type': 'application/json', host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
  );
  expect(parts(authorization)).toEqual({
    signedHeaders: 'content-type;host;x-sdk-date',
    signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
  });
});

// Well-formed text only (grapheme units): a lone surrogate cannot be percent-encoded as UTF-8.
const char = fc.oneof(
  fc.constantFrom(...`aZ09-_.~ !'()*&=+/?#%;,`),
  fc.constantFrom('一', '中', '文', '😀', '🚀', 'é', '！'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
// A few fixed keys so that repeated keys come up; letters and '_' only, so key order is plain.
const key = fc.oneof(fc.constantFrom('a', 'b', 'sortBy', 'search_content'), fc.stringMatching(/^[A-Za-z_]{1,8}$/));
const value = fc.oneof(fc.constant(''), fc.string({ unit: char, maxLength: 12 }));

/**
 * The SDK sorts a repeated key's values before encoding them (in UTF-16 order), we sort the
 * encoded values, as SigV4 (which this scheme derives from) and the emulator's check do. The
 * two orders differ when an unreserved character meets one that is encoded: '-' < '/' but
 * '%2F' < '-'. The gateway never repeats a key, so that class is left out, not failed.
 */
const valueOrderAgrees = (query: Pairs) =>
  [...groupByKey(query).values()].every(
    (values) => [...values].sort().map(encodeRfc3986).join('&') === values.map(encodeRfc3986).sort().join('&'),
  );

it('signs random GET requests exactly as the SDK does', () => {
  const request = fc.record({
    project: fc.stringMatching(/^[A-Za-z0-9-]{1,32}$/),
    query: fc.array(fc.tuple(key, value), { maxLength: 7 }),
    host: fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?(:[1-9]\d{1,4})?$/),
    contentType: fc.constantFrom('application/json', 'application/json;charset=UTF-8'),
    when: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    projectHeader: fc.boolean(),
    // The SDK signs header values untrimmed, while UPSTREAM.md (and the Go and Python SDKs) trim
    // them: no value here starts or ends with whitespace, which HTTP would strip anyway.
    securityToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,64}$/), { nil: undefined }),
  });
  fc.assert(
    fc.property(request, ({ project, query, host, contentType, when, projectHeader, securityToken }) => {
      fc.pre(valueOrderAgrees(query));
      const path = `/v1/${project}/training-jobs`;
      const ours: Record<string, string> = { host, 'content-type': contentType, 'x-sdk-date': sdkDate(when) };
      // The spelling BasicCredentials uses when it adds these headers itself.
      const theirs: Record<string, string> = { host, 'content-type': contentType, 'X-Sdk-Date': sdkDate(when) };
      if (projectHeader) ours['x-project-id'] = theirs['X-Project-Id'] = project;
      if (securityToken !== undefined) ours['x-security-token'] = theirs['X-Security-Token'] = securityToken;
      const signed = sign({ method: 'GET', path, query, headers: ours, ...KEYS });
      expect(parts(signed.authorization)).toEqual(parts(sdkAuthorization(`https://${host}${path}`, query, theirs)));
    }),
    { seed: 20240601, numRuns: 200 },
  );
});

it('differs from the SDK only in the value order of a repeated key, as excluded above', () => {
  const query: Pairs = [['a', '-'], ['a', '一']];
  const headers = { host: 'h', 'x-sdk-date': '20191115T033655Z' };
  const signed = sign({ method: 'GET', path: '/v1/p/training-jobs', query, headers, ...KEYS });
  expect(signed.queryString).toBe('a=%E4%B8%80&a=-'); // the SDK signs a=-&a=%E4%B8%80
  const sdk = sdkAuthorization('https://h/v1/p/training-jobs', query, { host: 'h', 'X-Sdk-Date': '20191115T033655Z' });
  expect(parts(sdk)?.signature).not.toBe(parts(signed.authorization)?.signature);
  expect(valueOrderAgrees(query)).toBe(false);
});

describe('v2 POST bodies', () => {
  const host = 'modelarts.cn-north-4.myhuaweicloud.com';
  const path = '/v2/0123456789abcdef0123456789abcdef/training-job-searches';
  /** What the gateway signs on a v2 call (client.ts prepare), in our spelling and the SDK's. */
  const headersAt = (date: string) => {
    const common = { accept: 'application/json', 'content-type': 'application/json;charset=UTF-8', host, 'x-request-id': 'f0e1d2c3-0000-4000-8000-000000000001' };
    return {
      ours: { ...common, 'x-project-id': '0123456789abcdef0123456789abcdef', 'x-sdk-date': date },
      theirs: { ...common, 'X-Project-Id': '0123456789abcdef0123456789abcdef', 'X-Sdk-Date': date },
    };
  };
  const base: SearchCall = { offset: 0, limit: 10, order: 'desc', workspaceId: '0', phases: undefined, search: undefined };

  // Literal bodies, and their SHA-256 from `printf '%s' BODY | sha256sum`, so that neither the
  // body builder nor the hash is checked only against itself.
  const cases: Array<{ name: string; call: SearchCall; body: string; sha256: string }> = [
    {
      name: 'without filters',
      call: base,
      body: '{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0"}',
      sha256: '022824b9e3307d9fa8f70e5558f5e93a15cd8a74fec4f780252bbb1143cf5c5c',
    },
    {
      name: 'with a two-phase filter, then a name filter',
      call: { ...base, offset: 2, limit: 50, order: 'asc', phases: ['Failed', 'Abnormal'], search: 'resnet' },
      body: '{"offset":2,"limit":50,"sort_by":"create_time","order":"asc","workspace_id":"0","filters":[{"key":"phase","operator":"in","value":["Failed","Abnormal"]},{"key":"name","operator":"like","value":["resnet"]}]}',
      sha256: '98533925ba7c32b8a87c7d2963d8d2922cc49ef46bb3cb286e61a7afea20ade8',
    },
    {
      // Multi-byte UTF-8 (3 and 4 bytes), and the two characters JSON.stringify escapes in a name.
      name: 'with a Unicode name holding a quote and a backslash',
      call: { ...base, search: '中文 "q" \\ 🚀' },
      body: String.raw`{"offset":0,"limit":10,"sort_by":"create_time","order":"desc","workspace_id":"0","filters":[{"key":"name","operator":"like","value":["中文 \"q\" \\ 🚀"]}]}`,
      sha256: '2b52495680547cb2f3531c2ec6e3aa38e8edd33b9db24c6809330d46da7c806a',
    },
  ];

  it.each(cases)('signs the body $name byte for byte as the SDK does', ({ call, body, sha256 }) => {
    expect(searchBody(call)).toBe(body);
    const { ours, theirs } = headersAt('20240601T120000Z');
    const signed = sign({ method: 'POST', path, query: [], headers: ours, body, ...KEYS });
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe(sha256);
    expect(signed.queryString).toBe('');
    const sdk = sdkAuthorization(`https://${host}${path}`, [], theirs, { body });
    expect(parts(signed.authorization)).toEqual(parts(sdk));
    // Both sides must actually sign the body: without it, either signature changes.
    const bodiless = sign({ method: 'POST', path, query: [], headers: ours, ...KEYS });
    expect(parts(bodiless.authorization)?.signature).not.toBe(parts(signed.authorization)?.signature);
    expect(parts(sdkAuthorization(`https://${host}${path}`, [], theirs, { body: '{}' }))?.signature).not.toBe(parts(sdk)?.signature);
  });

  it('signs random v2 search bodies exactly as the SDK does', () => {
    const nameChar = fc.oneof(
      // What JSON.stringify escapes (quote, backslash, controls, a lone surrogate) and what it
      // keeps raw though it is unusual (U+2028), beside multi-byte text and LIKE's wildcards.
      fc.constantFrom('"', '\\', '\n', '\t', '\u0007', '\u2028', '\ud800', '中', '文', '😀', 'é', '%', '_'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const call = fc.record({
      offset: fc.nat({ max: 100_000 }),
      limit: fc.integer({ min: 1, max: 50 }),
      order: fc.constantFrom('asc' as const, 'desc' as const),
      workspaceId: fc.oneof(fc.constant('0'), fc.stringMatching(/^[0-9a-f]{32}$/)),
      phases: fc.option(fc.subarray(PHASES.map(([phase]) => phase), { minLength: 1 }), { nil: undefined }),
      search: fc.option(fc.string({ unit: nameChar, minLength: 1, maxLength: 16 }), { nil: undefined }),
    });
    const when = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(call, when, (c, at) => {
        const body = searchBody(c);
        const { ours, theirs } = headersAt(sdkDate(at));
        const signed = sign({ method: 'POST', path, query: [], headers: ours, body, ...KEYS });
        expect(parts(signed.authorization)).toEqual(parts(sdkAuthorization(`https://${host}${path}`, [], theirs, { body })));
      }),
      { seed: 20240620, numRuns: 200 },
    );
  });

  it("hashes a GET's missing or empty body as the empty string, as the published vector signs it", () => {
    const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const vector = {
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: [['limit', '2'], ['marker', '13551d6b-755d-4757-b956-536f674975c0']] as const,
      headers: { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': '20191115T033655Z' },
      ...KEYS,
    };
    for (const body of [undefined, '']) {
      const signed = sign({ ...vector, ...(body === undefined ? {} : { body }) });
      expect(signed.canonicalRequest.split('\n').at(-1)).toBe(EMPTY_SHA256);
      expect(parts(signed.authorization)).toEqual({
        signedHeaders: 'content-type;host;x-sdk-date',
        signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
      });
    }
  });
});
