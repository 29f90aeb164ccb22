// The emulator's front door: unknown paths and methods, missing or unknown tokens, a project id
// and its other options, and AK/SK signatures checked against the official SDK's signer.
import { createHash, createHmac } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, generateJobs } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import { AUTH, HEX32, PATH, call, raw, useEmulator } from './support.ts';

useEmulator();

describe('routing and authentication', () => {
  it('answers a missing or empty token with 401 ModelArts.0201, before checking parameters', async () => {
    const variants: Array<Record<string, string>> = [{}, { 'x-auth-token': '' }, { authorization: 'Bearer abc' }];
    for (const headers of variants) {
      const reply = await call('per_page=0', { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error_code: 'ModelArts.0201', error_msg: 'Token missing' });
    }
  });

  it('accepts an SDK-HMAC-SHA256 Authorization header without a token', async () => {
    const headers = { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00' };
    expect((await call('', { headers })).status).toBe(200);
  });

  it('answers an unknown path with 404 APIGW.0101 carrying the request id', async () => {
    for (const path of ['/v2/proj-1/training-jobs', `${PATH}/`, '/v1/training-jobs', `/v1/${'p'.repeat(65)}/training-jobs`, '/']) {
      const reply = await call('', { path });
      expect(reply.status).toBe(404);
      expect(Object.keys(reply.body)).toEqual(['error_code', 'error_msg', 'request_id']);
      expect(reply.body['error_code']).toBe('APIGW.0101');
      expect(reply.body['request_id']).toBe(reply.headers.get('x-request-id'));
    }
    expect((await call('', { path: `/v1/${'p'.repeat(64)}/training-jobs` })).status).toBe(200);
  });

  it('answers other methods with 405 ModelArts.0104', async () => {
    const post = await call('', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(post.body).toMatchObject({ error_code: 'ModelArts.0104' });
    const head = await raw(PATH, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.body.length).toBe(0);
  });

  it('accepts only the configured tokens', async () => {
    const strict = await createEmulator({ tokens: ['good'] }).listen();
    try {
      expect((await fetch(`${strict.url}${PATH}`, { headers: { 'x-auth-token': 'good' } })).status).toBe(200);
      const bad = await fetch(`${strict.url}${PATH}`, { headers: { 'x-auth-token': 'bad' } });
      expect(bad.status).toBe(401);
      const body = (await bad.json()) as Record<string, unknown>;
      expect(body['error_code']).toBe('APIGW.0301');
      expect(body['request_id']).toMatch(HEX32);
    } finally {
      await strict.close();
    }
  });

  it('answers another project id with 404 ModelArts.2786 when projectId is set', async () => {
    const scoped = await createEmulator({ projectId: 'proj-1' }).listen();
    try {
      expect((await fetch(`${scoped.url}${PATH}`, { headers: AUTH })).status).toBe(200);
      const other = await fetch(`${scoped.url}/v1/proj-2/training-jobs`, { headers: AUTH });
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error_code: 'ModelArts.2786', request_id: other.headers.get('x-request-id') });
    } finally {
      await scoped.close();
    }
  });

  it('serves given jobs, limits and quotas, omitting null ones', async () => {
    const custom = await createEmulator({ jobs: generateJobs(5, 3), jobCountLimit: null, quotas: 17 }).listen();
    try {
      const text = await (await fetch(`${custom.url}${PATH}`, { headers: AUTH })).text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['is_success', 'job_total_count', 'quotas', 'jobs']);
      expect(body).toMatchObject({ job_total_count: 5, quotas: 17 });
    } finally {
      await custom.close();
    }
  });

  it('lets a verifySignature hook refuse signed requests', async () => {
    const signed = await createEmulator({ verifySignature: (r) => r.headers['x-sdk-date'] === '20191115T033655Z' }).listen();
    try {
      const authorization = 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00';
      const good = await fetch(`${signed.url}${PATH}`, { headers: { authorization, 'x-sdk-date': '20191115T033655Z' } });
      expect(good.status).toBe(200);
      const bad = await fetch(`${signed.url}${PATH}`, { headers: { authorization, 'x-sdk-date': '20200101T000000Z' } });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error_code: 'APIGW.0301' });
    } finally {
      await signed.close();
    }
  });

  it('rejects bad options and reports url only after listen', () => {
    expect(() => createEmulator({ projectId: 'a/b' })).toThrow(TypeError);
    expect(() => createEmulator({ quotas: 1.5 })).toThrow(/quotas/);
    expect(() => createEmulator({ aksk: { ak: 'AK', sk: '' } })).toThrow(/aksk/);
    expect(() => createEmulator().url).toThrow(/listen/);
  });
});

describe('AK/SK verification', () => {
  const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
  const QUERY = { search_content: '一 (&=?!#%.*) x', sortBy: 'create_time', page: '1', per_page: '5' };
  // Canonical: sorted by key, RFC 3986 (encodeURIComponent leaves !'()* alone).
  const SENT = 'page=1&per_page=5&search_content=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29%20x&sortBy=create_time';
  const MINUTE = 60_000;
  let verifying: Emulator;

  beforeAll(async () => {
    verifying = await createEmulator({ aksk: KEYS }).listen();
  });
  afterAll(() => verifying.close());

  const sdkDate = (at: number) => new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '');

  /** Headers signed by the official SDK's signer: a third implementation, beside the gateway's and the emulator's. */
  function sdkSigned(opts: { query?: Record<string, string>; date?: string; ak?: string; sk?: string } = {}): OutgoingHttpHeaders {
    const host = new URL(verifying.url).host;
    const headers = { host, 'content-type': 'application/json', 'X-Sdk-Date': opts.date ?? sdkDate(Date.now()) };
    const request = new HttpRequestBuilder().withEndpoint(`${verifying.url}${PATH}`).withMethod('GET')
      .withQueryParams(opts.query ?? QUERY).withHeaders(headers).build();
    return AKSKSigner.sign(request, new BasicCredentials().withAk(opts.ak ?? KEYS.ak).withSk(opts.sk ?? KEYS.sk)) as OutgoingHttpHeaders;
  }

  /**
   * A tiny signer of our own, for what the SDK cannot sign: it rewrites X-Sdk-Date into its
   * basic form for the string to sign, so a malformed date would fail on the signature anyway.
   */
  function handSigned(date: string, signedHeaders = 'host;x-sdk-date'): OutgoingHttpHeaders {
    const headers: Record<string, string> = { host: new URL(verifying.url).host, 'x-sdk-date': date };
    const block = signedHeaders.split(';').map((name) => `${name}:${headers[name]}\n`).join('');
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const canonical = `GET\n${PATH}/\n${SENT}\n${block}\n${signedHeaders}\n${sha256('')}`;
    const signature = createHmac('sha256', KEYS.sk).update(`SDK-HMAC-SHA256\n${date}\n${sha256(canonical)}`).digest('hex');
    return { ...headers, authorization: `SDK-HMAC-SHA256 Access=${KEYS.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
  }

  const send = (query: string, headers: OutgoingHttpHeaders) =>
    raw(query === '' ? PATH : `${PATH}?${query}`, { base: verifying.url, headers });

  it('accepts a request signed with the key pair and sent as signed', async () => {
    expect((await send(SENT, sdkSigned())).status).toBe(200);
    expect((await send('', sdkSigned({ query: {} }))).status).toBe(200);
    // 14 minutes either way is within the gateway's tolerance.
    expect((await send(SENT, sdkSigned({ date: sdkDate(Date.now() - 14 * MINUTE) }))).status).toBe(200);
    expect((await send(SENT, sdkSigned({ date: sdkDate(Date.now() + 14 * MINUTE) }))).status).toBe(200);
    expect((await send(SENT, handSigned(sdkDate(Date.now())))).status).toBe(200);
  });

  it('answers 401 APIGW.0301 to every bad signature, date or query', async () => {
    const { 'X-Sdk-Date': _date, ...undated } = sdkSigned();
    const cases: Array<[string, string, OutgoingHttpHeaders]> = [
      ['wrong AK', SENT, sdkSigned({ ak: 'SOMEONE-ELSES-AK' })],
      ['wrong SK', SENT, sdkSigned({ sk: 'not-the-secret' })],
      ['query changed after signing', SENT.replace('per_page=5', 'per_page=6'), sdkSigned()],
      ['malformed Authorization', SENT, { ...sdkSigned(), Authorization: 'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC' }],
      ['X-Sdk-Date missing', SENT, undated],
      ['X-Sdk-Date in extended ISO form', SENT, handSigned(new Date().toISOString())],
      ['X-Sdk-Date in lower case', SENT, handSigned(sdkDate(Date.now()).toLowerCase())],
      ['X-Sdk-Date not signed', SENT, handSigned(sdkDate(Date.now()), 'host')],
      ['X-Sdk-Date 16 minutes old', SENT, sdkSigned({ date: sdkDate(Date.now() - 16 * MINUTE) })],
      ['X-Sdk-Date 16 minutes ahead', SENT, sdkSigned({ date: sdkDate(Date.now() + 16 * MINUTE) })],
      // Signed over the canonical query, sent otherwise: the gateway must send what it signed.
      ['query reordered', SENT.split('&').reverse().join('&'), sdkSigned()],
      ['query encoded otherwise', SENT.replace('%21', '!').replace('%E4%B8%80', '%e4%b8%80'), sdkSigned()],
    ];
    for (const [name, query, headers] of cases) {
      const reply = await send(query, headers);
      expect(reply.status, name).toBe(401);
      expect(JSON.parse(reply.body.toString()), name).toEqual({
        error_code: 'APIGW.0301',
        error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
        request_id: reply.headers['x-request-id'],
      });
    }
  });

  it('still serves token requests, and lets a verifySignature hook replace the built-in check', async () => {
    expect((await call('', { headers: AUTH })).status).toBe(200);
    const hooked = await createEmulator({ aksk: KEYS, verifySignature: () => true }).listen();
    try {
      const headers = { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00' };
      expect((await fetch(`${hooked.url}${PATH}`, { headers })).status).toBe(200);
    } finally {
      await hooked.close();
    }
  });
});
