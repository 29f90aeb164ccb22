/**
 * The gateway's link to Redis (DESIGN.md "Scale-out"): two connections (commands, and one in
 * subscriber mode for pub/sub), and one verdict, `up`, that every shared piece consults before
 * it asks Redis anything. Redis is an accelerator, never a dependency of an answer, so:
 *
 * - no offline queue and no retry of a command: a command runs now or fails at once;
 * - every operation is bounded by REDIS_TIMEOUT_MS, judged after the replies already received
 *   are read: a gateway whose own event loop was stalled (a 1000-job page, say) must not take
 *   its own stall for a slow Redis;
 * - a timeout makes Redis suspect at once (nothing more is asked of it, so one request never
 *   pays the timeout twice), and a PING on a connection of its own decides: no answer either,
 *   Redis is down until a PING each second finds it answering; an answer, and the timeout was
 *   the command connection's own congestion (a busy replica reading 1000-job pages), so
 *   sharing goes on at once, with no state change logged;
 * - the connections reconnect by themselves with a capped, jittered backoff;
 * - one log line per change of state, naming no host and no password.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisConfig } from '../config.ts';

export interface RedisObserver {
  /** Redis went up (true) or down (false). */
  state(up: boolean): void;
  /** A command failed or timed out, or a connection failed. */
  error(): void;
}

export interface RedisLink {
  /** For commands; only while `up`, and only through attempt(). */
  readonly commands: Redis;
  /** In subscriber mode: SUBSCRIBE, UNSUBSCRIBE and the `message` event only. */
  readonly subscriber: Redis;
  /** Both connections ready and answering in time. */
  readonly up: boolean;
  /** This process among the replicas (lease holders, message senders). */
  readonly replicaId: string;
  /** A key or channel name under REDIS_KEY_PREFIX. */
  key(name: string): string;
  /**
   * Runs `op` when Redis is up and it answers within REDIS_TIMEOUT_MS; otherwise resolves
   * undefined (never rejects), and a failure is counted and may mark Redis down.
   */
  attempt<T>(op: (redis: Redis) => Promise<T>): Promise<T | undefined>;
  /** Told of every change of `up`. */
  onChange(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  log: Logger;
  observe?: RedisObserver | undefined;
  /** How often a stalled Redis is probed, default 1000 ms. */
  probeMs?: number;
}

/** The reconnect schedule: 100 ms doubling to 2 s, ±20 %, so that a fleet does not reconnect in step. */
const reconnectDelay = (attempt: number) => Math.round(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)) * (0.8 + 0.4 * Math.random()));

/** A timer this late means the event loop stood still, not that Redis was slow. */
const STALL_MS = 20;

class RedisTimeout extends Error {
  constructor() {
    super('redis command timed out');
  }
}

export function createRedisLink(config: RedisConfig, { log, observe, probeMs = 1000 }: RedisLinkOptions): RedisLink {
  const options: RedisOptions = {
    host: config.host,
    port: config.port,
    username: config.username,
    password: config.password,
    db: config.db,
    // Node verifies the certificate against the host (and sends it as SNI unless it is an IP).
    ...(config.tls ? { tls: {} } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Resubscribing is ours (see subscribe in live.ts), so that it happens exactly once.
    autoResubscribe: false,
    // A backstop for the commands that do not go through attempt() (SUBSCRIBE, QUIT): the
    // client's timer cannot tell its own stall from Redis's.
    commandTimeout: Math.max(1000, 4 * config.timeoutMs),
    connectTimeout: Math.max(1000, 4 * config.timeoutMs),
    retryStrategy: reconnectDelay,
    // Commands issued in the same tick travel in one write: many requests, few packets.
    enableAutoPipelining: true,
  };
  const commands = new Redis(options);
  const subscriber = new Redis(options);
  // Carries only PINGs: its answer says whether Redis answers, whatever queues on the others.
  const health = new Redis(options);
  const replicaId = randomUUID();
  const listeners: Array<(up: boolean) => void> = [];
  const ready = { commands: false, subscriber: false };
  let stalled = false;
  /** A command timed out and the health PING has not answered yet. */
  let suspect = false;
  let up = false;
  let closed = false;
  let ever = false;
  let probe: NodeJS.Timeout | undefined;
  /** Operations under way: close() lets them finish (a lease handed back at shutdown, say). */
  const pending = new Set<Promise<unknown>>();

  function settle(reason: string) {
    const now = ready.commands && ready.subscriber && !stalled && !closed;
    if (now === up) return;
    up = now;
    observe?.state(up);
    if (up) {
      // The first connection is news, not trouble.
      (ever ? log.warn.bind(log) : log.info.bind(log))({ redis: 'up' }, 'redis is up: sharing cache, rate limits and live pollers with the other replicas');
      ever = true;
    } else if (!closed) {
      log.warn({ redis: 'down', reason }, 'redis is down: serving alone (local cache, buckets and pollers) until it is back');
    }
    for (const listener of listeners) listener(up);
  }

  // ioredis reports each failed connection attempt as an `error` event; without a listener it
  // would print it, host and all, to stderr. Only its code is kept.
  for (const [name, connection] of [['commands', commands], ['subscriber', subscriber]] as const) {
    connection.on('ready', () => {
      ready[name] = true;
      settle('ready');
    });
    connection.on('close', () => {
      ready[name] = false;
      settle('connection lost');
    });
    connection.on('error', () => observe?.error());
  }
  health.on('error', () => {});
  // A start with Redis unreachable says so once, not per attempt.
  const unreachable = setTimeout(() => {
    if (!up && !ever) log.warn({ redis: 'down', reason: 'unreachable' }, 'redis is unreachable: serving alone until it answers');
  }, options.connectTimeout).unref();
  commands.connect().catch(() => {});
  subscriber.connect().catch(() => {});
  health.connect().catch(() => {});

  function startProbe() {
    if (probe !== undefined) return;
    probe = setInterval(() => {
      if (!ready.commands || closed) return;
      bounded(health.ping()).then(
        () => {
          stalled = false;
          clearInterval(probe);
          probe = undefined;
          settle('answering again');
        },
        () => observe?.error(),
      );
    }, probeMs).unref();
  }

  /**
   * `work`, or a RedisTimeout once it has had REDIS_TIMEOUT_MS of this process's time. Time the
   * event loop stood still (a 1000-job page being built) does not count: it says nothing of
   * Redis, and taking it for a Redis failure marked a healthy Redis down under load. The stall
   * allowance ends at 4 x REDIS_TIMEOUT_MS in all, after which a stall buys one short turn for
   * the sockets; the client's own commandTimeout bounds the rest. The verdict itself waits for
   * the sockets to be read (setImmediate runs after them), so a reply that arrived in time wins.
   */
  function bounded<T>(work: Promise<T>): Promise<T> {
    const started = performance.now();
    const cap = started + 4 * config.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let verdict: NodeJS.Immediate | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const arm = (ms: number) => {
        const due = performance.now() + ms;
        timer = setTimeout(() => {
          const now = performance.now();
          const stalled = now - due;
          // A stall buys the time it took, up to the cap, and past the cap one short turn.
          if (stalled > STALL_MS) return arm(Math.max(STALL_MS, Math.min(stalled, cap - now)));
          verdict = setImmediate(() => reject(new RedisTimeout()));
        }, ms);
      };
      arm(config.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => {
      clearTimeout(timer);
      clearImmediate(verdict);
    });
  }

  return {
    commands,
    subscriber,
    replicaId,
    get up() {
      return up;
    },
    key: (name) => `${config.keyPrefix}${name}`,
    async attempt(op) {
      if (!up || suspect) return undefined;
      const work = bounded(op(commands));
      pending.add(work);
      try {
        return await work;
      } catch (err) {
        observe?.error();
        if (err instanceof RedisTimeout && !suspect && up) {
          suspect = true;
          bounded(health.ping()).then(
            () => {
              suspect = false;
            },
            () => {
              // A slow Redis costs one timeout, then nothing until a probe finds it answering.
              suspect = false;
              stalled = true;
              settle('timeout');
              startProbe();
            },
          );
        }
        return undefined;
      } finally {
        pending.delete(work);
      }
    },
    onChange(listener) {
      listeners.push(listener);
    },
    async close() {
      // Bounded by the operations' own timeout.
      await Promise.allSettled(pending);
      closed = true;
      clearTimeout(unreachable);
      clearInterval(probe);
      settle('closing');
      await Promise.allSettled([commands.quit(), subscriber.quit(), health.quit()]);
      commands.disconnect();
      subscriber.disconnect();
      health.disconnect();
    },
  };
}
