// SDK-HMAC-SHA256 verification as the API gateway does it: recompute the signature from what
// arrived (UPSTREAM.md "Authentication"). Written apart from the gateway's signer, on purpose:
// the end-to-end tests then check two implementations against each other, not one against itself.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordedRequest } from './record.ts';

export interface AkSk {
  ak: string;
  sk: string;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*), Signature=([0-9a-f]{64})$/;
const SDK_DATE = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/;
const MAX_SKEW_MS = 15 * 60_000;
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Unreserved A-Za-z0-9-_.~ kept, all else %XX upper-case (encodeURIComponent keeps !'()*). */
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Decoded then re-encoded; undefined for malformed escapes, which no canonical form has. */
function recode(text: string): string | undefined {
  try {
    return encode(decodeURIComponent(text));
  } catch {
    return undefined;
  }
}

/** Pairs re-encoded and sorted by key, then value (code-unit order of the encoded text). */
function canonicalQuery(raw: string): string | undefined {
  if (raw === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const key = recode(eq < 0 ? part : part.slice(0, eq));
    const value = recode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) return undefined;
    pairs.push([key, value]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function canonicalUri(path: string): string | undefined {
  const segments = path.split('/').map(recode);
  if (segments.includes(undefined)) return undefined;
  const uri = segments.join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** X-Sdk-Date as epoch ms, or undefined unless it is exactly YYYYMMDDTHHMMSSZ of a real instant. */
function parseSdkDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const when = Date.parse(value.replace(SDK_DATE, '$1-$2-$3T$4:$5:$6Z'));
  // The round trip refuses every other form, and dates Date.parse rolls over (20260431, T24).
  return !Number.isNaN(when) && new Date(when).toISOString().replace(/[-:]|\.\d{3}/g, '') === value ? when : undefined;
}

/**
 * True when the request carries a valid signature by `keys`, dated within 15 minutes of `now`,
 * and its query was sent exactly as signed (canonical order and encoding).
 */
export function verifyAkSk(request: RecordedRequest, keys: AkSk, now = Date.now()): boolean {
  const match = AUTHORIZATION.exec(request.headers['authorization'] ?? '');
  if (match === null) return false;
  const [, access, signedHeaders = '', signature = ''] = match;
  if (access !== keys.ak) return false;
  const names = signedHeaders.split(';');
  // UPSTREAM.md's minimum; an unsigned date would let a captured request be replayed with a fresh one.
  if (!names.includes('host') || !names.includes('x-sdk-date')) return false;
  const date = request.headers['x-sdk-date'];
  const when = parseSdkDate(date);
  if (when === undefined || Math.abs(now - when) > MAX_SKEW_MS) return false;
  const query = canonicalQuery(request.query);
  if (query !== request.query) return false;
  const uri = canonicalUri(request.path);
  if (uri === undefined) return false;
  let headers = '';
  for (const name of names) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers += `${name}:${value.trim()}\n`;
  }
  const bodyHash = request.body === undefined || request.body === '' ? EMPTY_BODY_SHA256 : sha256(request.body);
  const canonicalRequest = [request.method, uri, query, headers, signedHeaders, bodyHash].join('\n');
  const stringToSign = `SDK-HMAC-SHA256\n${date}\n${sha256(canonicalRequest)}`;
  const expected = createHmac('sha256', keys.sk).update(stringToSign, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
