/**
 * The live registry: every subscription of Subscription.trainingJobs goes through here. It
 * keys subscribers like the page cache (a hash of credential, project and the page's exact name
 * on its upstream),
 * keeps one topic per key with the latest page (a new subscriber gets it at once), asks the
 * election who polls the key and hears its events on the bus (coordination.ts), and enforces
 * the per-process and per-caller limits.
 */
import type { Logger } from 'pino';
import type { TrainingJobsQuery } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import type { CallSignal, UpstreamClient } from '../upstream/client.ts';
import { sharedKey } from '../upstream/keys.ts';
import { createLocalBus, createLocalElection, type PageBus, type PollerElection } from './coordination.ts';
import type { LiveEvent, PageEvent } from './events.ts';
import type { Tracer } from '../tracing/api.ts';
import { createPoller, type Poller } from './poller.ts';
import { createStream, failedStream, type LiveSource, type LiveStream } from './stream.ts';

export interface LiveRegistryOptions {
  client: UpstreamClient;
  projectId: string;
  log: Logger;
  /** LIVE_POLL_MS, default 5000. */
  pollMs?: number;
  /** LIVE_MAX_BACKOFF_MS, default 60000. */
  maxBackoffMs?: number;
  /** LIVE_MAX_SUBSCRIPTIONS, default 10000 open streams in this process. */
  maxSubscriptions?: number;
  /** LIVE_MAX_PER_CALLER, default 20 open streams per caller. */
  maxPerCaller?: number;
  /** Who polls each key; default this process. */
  election?: PollerElection;
  /** How events reach subscribers; default in process. */
  bus?: PageBus;
  /** Told of every change in the counts, and of events written to clients (metrics). */
  observe?: LiveObserver | undefined;
  /** Default Math.random: the pollers' jitter. */
  random?: () => number;
  /** Each poll a trace of its own (DESIGN.md "OpenTelemetry traces"); default none. */
  tracer?: Tracer | undefined;
}

export interface LiveObserver {
  counts(subscriptions: number, pollers: number): void;
  /** Events a subscriber's client was sent (stream.ts): not those dropped for a slow reader. */
  written(events: number): void;
}

export interface LiveCaller {
  /** The token sent upstream: part of the key (hashed), never shared between credentials. */
  token: string;
  /** Who counts against LIVE_MAX_PER_CALLER: a hash of the caller's own credential, or its address. */
  identity: string;
  /** Ends the stream when the request goes away. */
  signal?: CallSignal | undefined;
}

export interface LiveRegistry {
  /** The stream of one subscriber: the latest page, then each change, or one error. */
  subscribe(query: TrainingJobsQuery, caller: LiveCaller): LiveSource;
  /** Completes every stream and stops every poller; later subscriptions complete at once. */
  close(): void;
  readonly subscriptions: number;
  readonly pollers: number;
}

interface Topic {
  streams: Set<LiveStream>;
  latest: PageEvent | undefined;
  poller: Poller | undefined;
  leave(): void;
  unlisten(): void;
}

/** One RATE_LIMITED error, then the end: the answer to a subscription over a limit. */
const refused = (message: string) => failedStream(new GatewayError('RATE_LIMITED', message));

export function createLiveRegistry(options: LiveRegistryOptions): LiveRegistry {
  const { client, projectId, log, pollMs = 5000, maxSubscriptions = 10_000, maxPerCaller = 20, observe } = options;
  const maxBackoffMs = Math.max(pollMs, options.maxBackoffMs ?? 60_000);
  const election = options.election ?? createLocalElection();
  const bus = options.bus ?? createLocalBus();
  const topics = new Map<string, Topic>();
  const perCaller = new Map<string, number>();
  let subscriptions = 0;
  let pollers = 0;
  let closed = false;

  const counted = () => observe?.counts(subscriptions, pollers);
  const written = observe === undefined ? undefined : (events: number) => observe.written(events);

  function deliver(key: string, event: LiveEvent) {
    const topic = topics.get(key);
    if (topic === undefined) return;
    if (event.kind === 'page') {
      if (event.fingerprint === topic.latest?.fingerprint) return;
      topic.latest = event;
      for (const stream of topic.streams) stream.push(event);
      return;
    }
    // A transient failure reaches only the streams still waiting for their first event.
    const reached = event.final ? [...topic.streams] : [...topic.streams].filter((s) => !s.hasPage);
    for (const stream of reached) {
      topic.streams.delete(stream);
      stream.push(event);
    }
    if (event.final || topic.streams.size === 0) drop(key, topic);
  }

  function drop(key: string, topic: Topic) {
    if (topics.get(key) !== topic) return;
    topics.delete(key);
    topic.unlisten();
    topic.leave();
  }

  function open(key: string, query: TrainingJobsQuery, token: string): Topic {
    const topic: Topic = { streams: new Set(), latest: undefined, poller: undefined, leave: () => {}, unlisten: () => {} };
    topics.set(key, topic);
    topic.unlisten = bus.listen(key, (event) => deliver(key, event));
    topic.leave = election.join(key, {
      lead() {
        if (topic.poller !== undefined) return;
        const label = key.slice(0, 8);
        topic.poller = createPoller({
          client, query, token, pollMs, maxBackoffMs, log, label, random: options.random, tracer: options.tracer,
          subscribers: () => topic.streams.size,
          publish: (event) => bus.publish(key, event),
        });
        pollers++;
        counted();
        topic.poller.start();
      },
      follow() {
        if (topic.poller === undefined) return;
        topic.poller.stop();
        topic.poller = undefined;
        pollers--;
        counted();
      },
    });
    return topic;
  }

  function register(query: TrainingJobsQuery, caller: LiveCaller): LiveStream {
    if (closed) {
      const stream = createStream(() => {});
      stream.end();
      return stream;
    }
    const mine = perCaller.get(caller.identity) ?? 0;
    if (mine >= maxPerCaller) return refused(`Too many live subscriptions: at most ${maxPerCaller} per caller.`);
    if (subscriptions >= maxSubscriptions) return refused('The gateway serves too many live subscriptions: try again later.');

    const key = sharedKey(caller.token, projectId, client.pageKey(query));
    const topic = topics.get(key) ?? open(key, query, caller.token);
    const onAbort = () => void stream.return();
    const stream = createStream(() => {
      caller.signal?.removeEventListener('abort', onAbort);
      subscriptions--;
      const left = (perCaller.get(caller.identity) ?? 1) - 1;
      if (left > 0) perCaller.set(caller.identity, left);
      else perCaller.delete(caller.identity);
      const current = topics.get(key);
      if (current?.streams.delete(stream) && current.streams.size === 0) drop(key, current);
      counted();
    }, written);
    subscriptions++;
    perCaller.set(caller.identity, mine + 1);
    topic.streams.add(stream);
    counted();
    if (topic.latest !== undefined) stream.push(topic.latest);
    if (caller.signal?.aborted) void stream.return();
    else caller.signal?.addEventListener('abort', onAbort, { once: true });
    return stream;
  }

  /**
   * Registers on the first read, not at once: a server that subscribes and then finds it cannot
   * stream the result (yoga answering 406 to a subscription sent with Accept: application/json)
   * never reads it, and must not leave a poller running for nobody.
   */
  function subscribe(query: TrainingJobsQuery, caller: LiveCaller): LiveSource {
    let stream: LiveStream | undefined;
    const source: LiveSource = {
      next: () => (stream ??= register(query, caller)).next(),
      listen: (listener) => (stream ??= register(query, caller)).listen(listener),
      return: () => (stream ??= createStream(() => {})).return(),
      wrote: () => stream?.wrote(),
      [Symbol.asyncIterator]: () => source,
    };
    return source;
  }

  return {
    subscribe,
    close() {
      closed = true;
      for (const [key, topic] of topics) {
        for (const stream of topic.streams) stream.end();
        topic.streams.clear();
        drop(key, topic);
      }
      election.close();
      bus.close();
    },
    get subscriptions() {
      return subscriptions;
    },
    get pollers() {
      return pollers;
    },
  };
}
