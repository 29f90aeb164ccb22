/**
 * The client address behind proxies (DESIGN.md "Client addresses behind proxies"), as a table:
 * the trust list (as loadConfig gives it), the socket's peer, the X-Forwarded-For a request
 * arrives with, and the address that keys the caller. The walk goes right to left from the
 * peer and stops at the first address not trusted; whatever it reaches that is not an IP makes
 * the peer the client; whatever lies beyond the first untrusted address is never read.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { clientAddressOf } from '../../src/server/http/client-address.ts';

/** The trust list loadConfig makes of a TRUST_PROXY value (names kept, `private` expanded). */
const trusting = (value: string | undefined) => loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;

/** A request as the resolver reads one: its socket's peer and its headers. */
const request = (peer: string | undefined, forwarded?: string | string[]) =>
  ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

const CLIENT = '203.0.113.9';

// [what, TRUST_PROXY, peer, X-Forwarded-For, the client address]
const CASES: Array<[string, string | undefined, string, string | string[] | undefined, string]> = [
  // Nobody trusted: the header is never believed.
  ['no TRUST_PROXY: a forged header buys nothing', undefined, '127.0.0.1', CLIENT, '127.0.0.1'],
  ['no TRUST_PROXY and no header', undefined, '198.51.100.4', undefined, '198.51.100.4'],

  // One proxy.
  ['a trusted peer without a header', 'loopback', '127.0.0.1', undefined, '127.0.0.1'],
  ['a trusted peer names its client', 'loopback', '127.0.0.1', CLIENT, CLIENT],
  ['a header forged by the client, the proxy\'s entry appended', 'loopback', '127.0.0.1', `6.6.6.6, ${CLIENT}`, CLIENT],
  ['a forged chain of "proxies" before the real client', 'loopback', '127.0.0.1', `127.0.0.1, 10.0.0.1, ${CLIENT}`, CLIENT],
  ['an untrusted peer: its header is ignored', '10.0.0.0/8', '198.51.100.7', CLIENT, '198.51.100.7'],
  ['an untrusted peer claiming a trusted proxy', '10.0.0.0/8', '198.51.100.7', `${CLIENT}, 10.0.0.1`, '198.51.100.7'],
  ['a single trusted IP', '192.0.2.10', '192.0.2.10', CLIENT, CLIENT],
  ['its neighbour is not trusted', '192.0.2.10', '192.0.2.11', CLIENT, '192.0.2.11'],
  ['an empty header from a trusted peer', 'loopback', '127.0.0.1', '', '127.0.0.1'],

  // Chained proxies: an ingress behind a cloud load balancer, both trusted.
  ['two trusted proxies', '10.0.0.0/8', '10.0.0.2', `${CLIENT}, 10.0.0.1`, CLIENT],
  ['two trusted proxies and a forged entry', '10.0.0.0/8', '10.0.0.2', `1.1.1.1, ${CLIENT}, 10.0.0.1`, CLIENT],
  ['every entry trusted: the left-most', '10.0.0.0/8', '10.0.0.2', '10.0.0.9, 10.0.0.1', '10.0.0.9'],
  ['two ranges of a list', '10.0.0.0/8, 172.16.0.0/12', '172.16.5.5', `${CLIENT}, 10.0.0.1`, CLIENT],
  ['a hop that is not trusted stops the walk', '10.0.0.0/8', '10.0.0.2', `${CLIENT}, 198.51.100.1, 10.0.0.1`, '198.51.100.1'],
  ['several header lines, one list', '10.0.0.0/8', '10.0.0.2', ['6.6.6.6', `${CLIENT}, 10.0.0.1`], CLIENT],

  // The names.
  ['private: 10/8', 'private', '10.1.2.3', CLIENT, CLIENT],
  ['private: 172.16/12', 'private', '172.31.255.1', CLIENT, CLIENT],
  ['private: 192.168/16', 'private', '192.168.1.1', CLIENT, CLIENT],
  ['private: fc00::/7', 'private', 'fd12::1', CLIENT, CLIENT],
  ['private: 172.32 is outside it', 'private', '172.32.0.1', CLIENT, '172.32.0.1'],
  ['private: a public peer', 'private', '198.51.100.7', CLIENT, '198.51.100.7'],
  ['loopback over IPv6', 'loopback', '::1', CLIENT, CLIENT],
  ['linklocal', 'linklocal', '169.254.10.1', CLIENT, CLIENT],
  ['uniquelocal', 'uniquelocal', 'fd00::5', CLIENT, CLIENT],

  // IPv6 and v4-mapped addresses.
  ['an IPv6 client', 'loopback', '127.0.0.1', '2001:db8::7', '2001:db8::7'],
  ['an IPv6 chain', '2001:db8:a::/48', '2001:db8:a::1', '2001:db8::7, 2001:db8:a::2', '2001:db8::7'],
  ['a v4-mapped peer in a v4 range', 'loopback', '::ffff:127.0.0.1', CLIENT, CLIENT],
  ['a v4-mapped hop in a v4 range', '10.0.0.0/8', '10.0.0.2', `${CLIENT}, ::ffff:10.0.0.1`, CLIENT],
  ['a v4-mapped client, as written', 'loopback', '127.0.0.1', '::ffff:203.0.113.9', '::ffff:203.0.113.9'],

  // Malformed where the walk reads it: the peer is the client, never an error.
  ['garbage', 'loopback', '127.0.0.1', 'not an address', '127.0.0.1'],
  ['unknown (nginx without an address)', 'loopback', '127.0.0.1', 'unknown', '127.0.0.1'],
  ['an address with a port', 'loopback', '127.0.0.1', `${CLIENT}:443`, '127.0.0.1'],
  ['an IPv6 address in brackets', 'loopback', '127.0.0.1', '[2001:db8::7]', '127.0.0.1'],
  ['an IPv6 address in brackets with a port', 'loopback', '127.0.0.1', '[2001:db8::7]:443', '127.0.0.1'],
  ['an IPv6 address with a zone', 'loopback', '127.0.0.1', 'fe80::1%eth0', '127.0.0.1'],
  ['a trailing empty entry', 'loopback', '127.0.0.1', `${CLIENT}, `, '127.0.0.1'],
  ['an empty entry between trusted hops', '10.0.0.0/8', '10.0.0.2', `${CLIENT},, 10.0.0.1`, '10.0.0.2'],
  ['only commas', 'loopback', '127.0.0.1', ' , ,', '127.0.0.1'],
  ['an abbreviated IPv4 (ipaddr.js reads 127.1)', 'loopback', '127.0.0.1', `${CLIENT}, 127.1`, '127.0.0.1'],
  ['a hexadecimal IPv4', 'loopback', '127.0.0.1', `${CLIENT}, 0x7f000001`, '127.0.0.1'],
  ['leading zeros', 'loopback', '127.0.0.1', '203.0.113.09', '127.0.0.1'],
  ['an entry with a space inside', 'loopback', '127.0.0.1', '203.0.113.9 198.51.100.1', '127.0.0.1'],
  ['a Forwarded-style entry', 'loopback', '127.0.0.1', `for=${CLIENT}`, '127.0.0.1'],
  ['tabs and spaces around entries are no harm', 'loopback', '127.0.0.1', `\t${CLIENT} \t`, CLIENT],

  // Beyond the first untrusted address: never read.
  ['garbage beyond the client', 'loopback', '127.0.0.1', `<script>, [::1]:80, unknown, ${CLIENT}`, CLIENT],
  ['empty entries beyond the client', 'loopback', '127.0.0.1', `,,, ${CLIENT}`, CLIENT],
  ['a zone beyond the client', '10.0.0.0/8', '10.0.0.2', `fe80::1%${'x'.repeat(5000)}, ${CLIENT}, 10.0.0.1`, CLIENT],
];

describe('the client address', () => {
  it.each(CASES)('%s', (_what, trustProxy, peer, forwarded, client) => {
    expect(clientAddressOf(trusting(trustProxy))(request(peer, forwarded))).toBe(client);
  });

  it('reads no header without a trust list', () => {
    const req = request('127.0.0.1');
    Object.defineProperty(req, 'headers', { get: () => expect.unreachable('headers read') });
    expect(clientAddressOf([])(req)).toBe('127.0.0.1');
  });

  it('has no address for a socket already gone, whatever it is told', () => {
    expect(clientAddressOf([])(request(undefined, CLIENT))).toBeUndefined();
    expect(clientAddressOf(trusting('loopback'))(request(undefined, CLIENT))).toBeUndefined();
  });

  it('stops at the first untrusted address of a header as large as node takes', () => {
    // 16 KB of entries before the client: one entry read, at no cost worth measuring.
    const forwarded = `${'not-an-ip, '.repeat(1500)}${CLIENT}`;
    const resolve = clientAddressOf(trusting('loopback'));
    const started = performance.now();
    for (let i = 0; i < 1000; i++) expect(resolve(request('127.0.0.1', forwarded))).toBe(CLIENT);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
