/**
 * The Redis npm run bench:fleet shares between replicas: Debian's redis-server as a child (no
 * persistence), on the runner's core, and a client of the runner's own to empty it between
 * configurations and to count the commands the gateways sent.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, startProcess, stop, type Child } from '../lib/proc.ts';

export const REDIS_SERVER = process.env.BENCH_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface BenchRedis {
  /** redis://127.0.0.1:port */
  url: string;
  child: Child;
  /** Forgets every key (pages, buckets) and resets the command counter. */
  flush(): Promise<void>;
  /**
   * Calls per command since the last flush (INFO commandstats). Commands a Lua script runs are
   * counted under their own names too, so a script is one `evalsha` plus what it calls.
   */
  commands(): Promise<Record<string, number>>;
  /** redis-server's version line, for the report. */
  version: string;
  close(): Promise<void>;
}

export async function startRedis(core: number): Promise<BenchRedis> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing (apt-get install redis-server, or set BENCH_REDIS_SERVER)`);
  const port = await freePort();
  const child = startProcess('redis-server', core, REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']);
  // Until it listens, connecting is refused: wait for the port, then connect once.
  const listening = () => new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  let ready = false;
  for (let i = 0; i < 100 && !ready && child.proc.exitCode === null; i++) {
    ready = await listening();
    if (!ready) await sleep(100);
  }
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // a failure shows as a rejected command below
  if (!ready || !(await client.connect().then(() => true, () => false))) {
    client.disconnect();
    await stop(child);
    throw new Error(`redis-server did not answer\n${child.tail.join('\n')}`);
  }
  const version = `redis-server ${/^redis_version:(\S+)/m.exec(await client.info('server'))?.[1] ?? '?'}`;
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    version,
    async flush() {
      await client.flushall();
      await client.config('RESETSTAT');
    },
    async commands() {
      const calls: Record<string, number> = {};
      for (const [, name, n] of (await client.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[name as string] = Number(n);
      return calls;
    },
    async close() {
      client.disconnect();
      await stop(child);
    },
  };
}

/** What the gateways asked Redis between two commandstats snapshots: its page tier, its rate-limit bucket, anything else. */
export interface RedisTraffic {
  /** GET + PTTL of a lookup, SET of a store (src/redis/page-store.ts). */
  page: number;
  /** One script per request (src/redis/rate-limit.ts); the commands it runs inside Redis are not counted. */
  bucket: number;
  other: number;
}

const PAGE = ['get', 'pttl', 'set'];
const BUCKET = ['evalsha', 'eval'];
/** Run by the bucket script inside Redis, or by this runner: no round trip of a gateway. */
const NOT_SENT = ['time', 'hmget', 'hset', 'pexpire', 'info', 'flushall', 'config'];

export function traffic(before: Record<string, number>, after: Record<string, number>): RedisTraffic {
  const d = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const total = (names: string[]) => names.reduce((s, n) => s + d(n), 0);
  const other = Object.keys(after).filter((n) => !PAGE.includes(n) && !BUCKET.includes(n) && !NOT_SENT.includes(n));
  return { page: total(PAGE), bucket: total(BUCKET), other: total(other) };
}
