/**
 * The headers every family sends: credentials (each marked, so that an echo of one is a leak the
 * checks can see), Accept variants and request ids, odd ones among the ordinary.
 */
import { HEADER_ALPHABET, ODD_ASCII, type Rng } from './rng.ts';

/** Every credential the fuzzer sends contains this marker, so an echo of one is easy to spot. */
export const SECRET = 'SeCrEt';

function secretToken(r: Rng): string {
  return r.pick([
    `${SECRET}-${r.chars(HEADER_ALPHABET, r.int(4, 40))}`,
    `${r.chars(ODD_ASCII.trim(), r.int(1, 8))}${SECRET}${r.chars(ODD_ASCII, r.int(0, 20))}x`,
    `${SECRET}${'x'.repeat(r.pick([1000, 4000, 8000]))}`,
    `${SECRET}.${r.chars(`${HEADER_ALPHABET}-_`, 200)}.${r.chars(HEADER_ALPHABET, 40)}`,
  ]);
}

export function authHeaders(r: Rng): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const choice = r.next();
  if (choice < 0.45) headers['x-auth-token'] = secretToken(r);
  else if (choice < 0.6) headers['authorization'] = `Bearer ${secretToken(r)}`;
  else if (choice < 0.7) {
    headers['x-auth-token'] = r.pick(['', ' ', '\t', secretToken(r)]);
    headers['authorization'] = r.pick([`Bearer ${secretToken(r)}`, 'Bearer', 'Bearer ', `Basic ${SECRET}`]);
  } else if (choice < 0.8) {
    headers[r.pick(['x-auth-token', 'authorization'])] = r.pick([
      '',
      ' ',
      '\t \t',
      'Bearer',
      'Bearer ',
      'Bearer\t',
      `bearer ${secretToken(r)}`,
      `BEARER\t${secretToken(r)}  `,
      `Bearer ${secretToken(r)} ${secretToken(r)}`,
      `Bearer ${secretToken(r)},Bearer ${secretToken(r)}`,
      `Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`,
      `Digest username="${SECRET}"`,
      `${r.chars(ODD_ASCII, r.int(1, 300))}`,
      `Bearer ${r.chars(ODD_ASCII, r.int(1, 100))}${SECRET}`,
      'x'.repeat(r.pick([1000, 8000])),
    ]);
  } else if (choice < 0.85) {
    headers['x-auth-token'] = [secretToken(r), secretToken(r)];
  }
  // else: no credential at all (UNAUTHENTICATED in passthrough mode).
  return headers;
}

export function requestIdHeader(r: Rng): Record<string, string> {
  if (!r.bool(0.4)) return {};
  return {
    'x-request-id': r.pick([
      '',
      ' ',
      'a b<script>',
      '../../etc/passwd',
      '%00%0d%0a',
      'x'.repeat(128),
      'x'.repeat(129),
      'y'.repeat(r.pick([1000, 6000])),
      r.chars(ODD_ASCII, r.int(1, 200)),
      r.chars(`${HEADER_ALPHABET}._:-`, r.int(1, 128)),
      '{"json":true}',
      "' OR 1=1 --",
    ]),
  };
}

export function acceptHeader(r: Rng): Record<string, string> {
  const c = r.next();
  if (c < 0.4) return { accept: 'application/json' };
  if (c < 0.7) return { accept: 'application/graphql-response+json' };
  if (c < 0.8) return {};
  return {
    accept: r.pick([
      '*/*',
      'application/graphql-response+json, application/json;q=0.9',
      'application/json; charset=utf-8',
      'image/png',
      'text/plain',
      'application/xml',
      'text/event-stream',
      'multipart/mixed',
      'garbage',
      ';;;q=x',
      'application/*',
    ]),
  };
}

export function commonHeaders(r: Rng): Record<string, string | string[]> {
  return { ...acceptHeader(r), ...(r.bool(0.8) ? { 'x-auth-token': `${SECRET}-${r.int(0, 9)}` } : authHeaders(r)), ...requestIdHeader(r) };
}
