/**
 * One live poller per key for the whole fleet (DESIGN.md "Scale-out"), behind the interfaces of
 * src/live/coordination.ts. For a key K (a pageKey hash) under the prefix:
 *
 * - `live:K:lease` names the replica that polls K: taken with SET NX PX, renewed by its holder
 *   every third of LIVE_POLL_MS, lasting 1.5 x LIVE_POLL_MS. When the holder dies, a replica
 *   with subscribers takes the lease within 1.5 + 0.37 intervals and polls at once: changes keep
 *   flowing within 3 x LIVE_POLL_MS. A holder whose last subscriber leaves (or that shuts down)
 *   gives the lease back and says so on `live:free`, so the others need not wait for it to expire.
 * - `live:K` is the channel the holder publishes each new page (or final error) on; every replica
 *   with subscribers for K relays it. A replica hears its own events directly, not through Redis.
 * - `live:K:page` holds the latest event, living as long as the lease, so a subscriber arriving
 *   at any replica gets the page at once, without an upstream call.
 *
 * While Redis is down every replica polls its own keys (the local behaviour), and deduplication
 * by fingerprint in the registry absorbs the overlap while the fleet settles again.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError, type ErrorCode, type UpstreamInfo } from '../errors.ts';
import type { PageBus, PollerElection, PollerRole } from '../live/coordination.ts';
import type { LiveEvent } from '../live/events.ts';
import type { RedisLink } from './link.ts';

export interface RedisLiveOptions {
  /** LIVE_POLL_MS: sets the lease's life and renewal. */
  pollMs: number;
  log: Logger;
}

/** An event as it travels: plain JSON, with the replica that sent it. */
interface WireEvent {
  from: string;
  event:
    | { kind: 'page'; fingerprint: string; page: unknown }
    | { kind: 'error'; final: boolean; code: ErrorCode; message: string; upstream?: UpstreamInfo };
}

type LiveCommands = Redis & {
  renewLease(lease: string, latest: string, holder: string, ttlMs: number): Promise<number>;
  releaseLease(lease: string, latest: string, holder: string, free: string, key: string): Promise<number>;
};

// Renewal keeps the latest page alive with the lease; release forgets it, so that a stale page
// is never a new subscriber's first event once nobody polls, and tells the others in the same
// step (a replica shutting down may have no second step).
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

function toWire(from: string, event: LiveEvent): string {
  const wire: WireEvent =
    event.kind === 'page'
      ? { from, event: { kind: 'page', fingerprint: event.fingerprint, page: event.page } }
      : { from, event: { kind: 'error', final: event.final, code: event.error.code, message: event.error.message, upstream: event.error.upstream } };
  return JSON.stringify(wire);
}

/** The event in a message, or undefined for anything that is not one of ours. */
function fromWire(text: string): { from: string; event: LiveEvent } | undefined {
  try {
    const { from, event } = JSON.parse(text) as WireEvent;
    if (typeof from !== 'string' || typeof event !== 'object' || event === null) return undefined;
    if (event.kind === 'page' && typeof event.fingerprint === 'string' && typeof event.page === 'object' && event.page !== null) {
      return { from, event: { kind: 'page', fingerprint: event.fingerprint, page: event.page as never } };
    }
    if (event.kind === 'error' && typeof event.code === 'string' && typeof event.message === 'string') {
      return { from, event: { kind: 'error', final: event.final === true, error: new GatewayError(event.code, event.message, event.upstream) } };
    }
  } catch {
    // not ours
  }
  return undefined;
}

export function createRedisLive(link: RedisLink, { pollMs, log }: RedisLiveOptions): { election: PollerElection; bus: PageBus } {
  const leaseMs = Math.ceil(1.5 * pollMs);
  const tickMs = pollMs / 3;
  const me = link.replicaId;
  const lease = (key: string) => link.key(`live:${key}:lease`);
  const latest = (key: string) => link.key(`live:${key}:page`);
  const channel = (key: string) => link.key(`live:${key}`);
  const freeChannel = link.key('live:free');
  const commands = link.commands as LiveCommands;
  commands.defineCommand('renewLease', { numberOfKeys: 2, lua: RENEW });
  commands.defineCommand('releaseLease', { numberOfKeys: 2, lua: RELEASE });

  // ---- subscriptions on the one subscriber connection, resubscribed whenever it is back

  const listeners = new Map<string, (event: LiveEvent) => void>();
  const channels = new Set<string>();
  const keyOf = new Map<string, string>();

  function subscribe(name: string): Promise<unknown> {
    channels.add(name);
    return link.up ? link.subscriber.subscribe(name).catch(() => undefined) : Promise.resolve();
  }
  function unsubscribe(name: string) {
    channels.delete(name);
    if (link.up) link.subscriber.unsubscribe(name).catch(() => {});
  }

  link.subscriber.on('message', (name: string, text: string) => {
    if (name === freeChannel) {
      const member = members.get(text);
      if (member !== undefined && !member.holds) void acquire(text, member);
      return;
    }
    const key = keyOf.get(name);
    if (key === undefined) return;
    const message = fromWire(text);
    if (message === undefined || message.from === me) return;
    heard.add(key);
    listeners.get(key)?.(message.event);
  });

  // ---- the bus

  /** Keys that got a message since they were listened to: a late GET of the latest loses to it. */
  const heard = new Set<string>();

  const bus: PageBus = {
    publish(key, event) {
      listeners.get(key)?.(event);
      if (!link.up) return;
      const text = toWire(me, event);
      void link.attempt((redis) =>
        Promise.all([
          redis.publish(channel(key), text),
          event.kind === 'page' ? redis.set(latest(key), text, 'PX', leaseMs) : redis.del(latest(key)),
        ]),
      );
    },
    listen(key, deliver) {
      listeners.set(key, deliver);
      keyOf.set(channel(key), key);
      heard.delete(key);
      void subscribe(channel(key)).then(async () => {
        const text = await link.attempt((redis) => redis.get(latest(key)));
        if (typeof text !== 'string' || heard.has(key) || listeners.get(key) !== deliver) return;
        const message = fromWire(text);
        if (message?.event.kind === 'page') deliver(message.event);
      });
      return () => {
        if (listeners.get(key) !== deliver) return;
        listeners.delete(key);
        keyOf.delete(channel(key));
        heard.delete(key);
        unsubscribe(channel(key));
      };
    },
    close() {
      for (const key of [...listeners.keys()]) unsubscribe(channel(key));
      listeners.clear();
      keyOf.clear();
    },
  };

  // ---- the election

  interface Member {
    role: PollerRole;
    /** Its poller runs here. */
    leading: boolean;
    /** ...because this replica holds the lease (false: because Redis is away). */
    holds: boolean;
  }
  const members = new Map<string, Member>();
  let timer: NodeJS.Timeout | undefined;

  const lead = (member: Member) => {
    if (member.leading) return;
    member.leading = true;
    member.role.lead();
  };
  const follow = (member: Member) => {
    if (!member.leading) return;
    member.leading = false;
    member.role.follow();
  };

  async function acquire(key: string, member: Member) {
    const won = await link.attempt((redis) => redis.set(lease(key), me, 'PX', leaseMs, 'NX'));
    if (members.get(key) !== member) {
      if (won === 'OK') release(key);
      return;
    }
    if (won === 'OK') {
      member.holds = true;
      lead(member);
    } else if (won === null) {
      // Another replica polls: its pages arrive on the channel.
      follow(member);
    } else {
      lead(member); // Redis failed: poll here rather than not at all.
    }
  }

  async function renew(key: string, member: Member) {
    const kept = await link.attempt((redis) => (redis as LiveCommands).renewLease(lease(key), latest(key), me, leaseMs));
    if (members.get(key) !== member || kept === undefined) return;
    if (kept === 0) {
      member.holds = false;
      void acquire(key, member);
    }
  }

  function release(key: string) {
    void link.attempt((redis) => (redis as LiveCommands).releaseLease(lease(key), latest(key), me, freeChannel, key));
  }

  function tick() {
    timer = undefined;
    if (members.size === 0) return;
    for (const [key, member] of members) {
      if (!link.up) lead(member);
      else if (member.holds) void renew(key, member);
      else void acquire(key, member);
    }
    schedule();
  }

  function schedule() {
    timer ??= setTimeout(tick, Math.round(tickMs * (0.9 + 0.2 * Math.random()))).unref();
  }

  link.onChange((up) => {
    if (up) {
      for (const name of channels) link.subscriber.subscribe(name).catch(() => {});
      link.subscriber.subscribe(freeChannel).catch(() => {});
      clearTimeout(timer);
      timer = undefined;
      tick();
      return;
    }
    // Redis away: nobody hears anybody, so everybody polls what it needs.
    for (const member of members.values()) {
      member.holds = false;
      lead(member);
    }
  });
  if (link.up) link.subscriber.subscribe(freeChannel).catch(() => {});

  const election: PollerElection = {
    join(key, role) {
      const member: Member = { role, leading: false, holds: false };
      members.set(key, member);
      if (link.up) void acquire(key, member);
      else lead(member);
      schedule();
      return () => {
        if (members.get(key) !== member) return;
        members.delete(key);
        follow(member);
        if (member.holds) release(key);
      };
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      for (const [key, member] of members) {
        follow(member);
        if (member.holds) release(key);
      }
      members.clear();
      log.debug({ replica: me }, 'live: leases given back');
    },
  };

  return { election, bus };
}
