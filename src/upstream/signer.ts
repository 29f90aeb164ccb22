/**
 * SDK-HMAC-SHA256 request signing for AK/SK credentials (UPSTREAM.md "Authentication"), a
 * pure function: the caller sends exactly the query string and headers it returns.
 */
import { createHash, createHmac } from 'node:crypto';

/**
 * RFC 3986 percent-encoding: unreserved characters kept, everything else %XX upper-case.
 * encodeURIComponent leaves !'()* alone; AK/SK signing (UPSTREAM.md "Authentication")
 * needs them encoded, and the query we send must be byte for byte the one we sign.
 */
export function encodeRfc3986(value: string): string {
  const encoded = encodeURIComponent(value);
  return RFC3986_EXTRA.test(encoded) ? encoded.replace(RFC3986_EXTRA_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}
const RFC3986_EXTRA = /[!'()*]/;
const RFC3986_EXTRA_ALL = /[!'()*]/g;

export const ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignInput {
  method: string;
  /** The path as sent, e.g. /v1/abc/training-jobs (segments not yet encoded). */
  path: string;
  /** Query pairs in any order; sorted and encoded here. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Headers to sign (and send), e.g. host, content-type, x-sdk-date, x-project-id. */
  headers: Readonly<Record<string, string>>;
  body?: string;
  ak: string;
  sk: string;
}

export interface Signed {
  /** The canonical query, to send byte for byte as signed ('' when there is none). */
  queryString: string;
  authorization: string;
  /** Kept for tests and debugging; never logged (it is derived from the request, not the key). */
  canonicalRequest: string;
}

/** UTC now as X-Sdk-Date wants it: YYYYMMDDTHHMMSSZ. */
export function sdkDate(now: Date = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Sorted by key, then value, in code-unit order (so `sortBy` sorts after `search_content`). */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([key, value]) => [encodeRfc3986(key), encodeRfc3986(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** Each segment percent-encoded, and a trailing slash for signing only. */
function canonicalUri(path: string): string {
  const encoded = path.split('/').map((segment) => encodeRfc3986(decodeURIComponentSafe(segment))).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function sign(input: SignInput): Signed {
  const names = Object.keys(input.headers).map((name) => name.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const date = lower['x-sdk-date'];
  if (date === undefined) throw new TypeError('sign: the headers must include X-Sdk-Date');
  const queryString = canonicalQuery(input.query);
  const canonicalHeaders = names.map((name) => `${name}:${String(lower[name]).trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const bodyHash = input.body ? sha256(input.body) : EMPTY_BODY_SHA256;
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    queryString,
    canonicalHeaders,
    signedHeaders,
    bodyHash,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${date}\n${sha256(canonicalRequest)}`;
  const signature = createHmac('sha256', input.sk).update(stringToSign, 'utf8').digest('hex');
  return {
    queryString,
    authorization: `${ALGORITHM} Access=${input.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    canonicalRequest,
  };
}
