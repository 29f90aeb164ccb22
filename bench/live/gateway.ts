/**
 * The gateway as npm run bench:live runs it: configured for live updates against the emulator,
 * with more streams admitted than the defaults allow, and the connections the kernel dropped
 * before it could accept them.
 */
import { readFileSync } from 'node:fs';
import { launchGateway, type Gateway } from '../lib/gateway.ts';

/** The live bench's gateway: configured for live updates against the emulator. */
export function startGateway(core: number, upstream: string, pollMs: number, subscribers: number, profileDir?: string): Promise<Gateway> {
  return launchGateway(core, {
    LIVE_POLL_MS: String(pollMs), MODELARTS_ENDPOINT: upstream, MODELARTS_PROJECT_ID: 'live-bench',
    // The defaults (10000 streams, 20 per caller) would refuse the bench itself.
    LIVE_MAX_SUBSCRIPTIONS: String(Math.max(20_000, 2 * subscribers)), LIVE_MAX_PER_CALLER: String(subscribers),
  }, profileDir);
}

/**
 * Connections the kernel dropped because a listen queue was full (TcpExt ListenOverflows, the
 * whole machine): how a gateway too busy to accept shows, before any request is read.
 */
export function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  return Number(lines[1]?.split(/\s+/)[names.indexOf('ListenOverflows')] ?? NaN);
}
