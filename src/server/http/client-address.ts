/**
 * The client's address behind proxies (DESIGN.md "Client addresses behind proxies"): the
 * right-most X-Forwarded-For entry not in TRUST_PROXY's list, walking from the socket's peer.
 * It keys the callers without a credential (rate limits, live limits, WebSocket sockets) and is
 * the log line's `remote`, so a forged header must never make a caller someone else: an
 * untrusted peer's header is ignored, and a header that is not a list of addresses where the
 * walk reads it counts as absent (the peer is the client), never as an error.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';

/** The client address of a request, or undefined when its socket is already gone. */
export type ClientAddress = (req: IncomingMessage) => string | undefined;

const peer: ClientAddress = (req) => req.socket.remoteAddress;

/**
 * The resolver for a trust list (config.trustProxy: IPs, CIDRs, proxy-addr's names), compiled
 * once. With an empty list the peer is the client and no header is read: every request pays for
 * this, and most gateways run without a proxy they trust.
 */
export function clientAddressOf(trustProxy: readonly string[]): ClientAddress {
  if (trustProxy.length === 0) return peer;
  const trusted = proxyaddr.compile([...trustProxy]);
  return (req) => {
    const address = req.socket.remoteAddress;
    if (address === undefined || !trusted(address, 0)) return address;
    const header = req.headers['x-forwarded-for'];
    if (header === undefined) return address;
    return walk(typeof header === 'string' ? header : header.join(', '), address, trusted);
  };
}

/**
 * Right to left from the peer, one entry at a time, stopping at the first address not trusted:
 * the entries beyond it are whatever the client wrote, and are never read. Not proxy-addr's own
 * walk, which splits every entry first, skips empty ones and believes whatever ipaddr.js
 * accepts ("127.1", "0x7f000001"); here an entry is an IP as node reads one (v4, v6,
 * v4-mapped; no zone, whose text after `%` node takes at any length) or it ends the walk at
 * the peer. Several header lines are one list (node joins them with ", ", as proxies mean).
 */
function walk(header: string, peerAddress: string, trusted: (address: string, hop: number) => boolean): string {
  let end = header.length;
  for (let hop = 1; ; hop++) {
    const comma = end === 0 ? -1 : header.lastIndexOf(',', end - 1);
    const entry = header.slice(comma + 1, end).trim();
    if (isIP(entry) === 0 || entry.includes('%')) return peerAddress;
    if (comma === -1 || !trusted(entry, hop)) return entry;
    end = comma;
  }
}
