/**
 * One subscriber's stream of events, as the async iterator GraphQL subscriptions consume, or
 * pushed to a listener. A slow reader never makes it grow: a page waiting to be read is replaced
 * by a newer one (only the latest page matters), and an error is the last event.
 *
 * The events counted (gateway_live_events_total) are those written to the client, not those
 * pushed: an iterator's readers (yoga's SSE writer, graphql-ws) read the next event only once
 * the one before is written, so an event read is one written; a listener may still drop what
 * its socket cannot take, and says which it wrote (wrote()).
 */
import type { GatewayError } from '../errors.ts';
import type { LiveEvent } from './events.ts';

/** A reader that is called rather than polled. */
export interface LiveListener {
  next(event: LiveEvent): void;
  complete(): void;
}

/** What a subscription's source is: an async iterator, which can also push to a listener. */
export interface LiveSource extends AsyncIterableIterator<LiveEvent> {
  /**
   * Delivers what is queued at once, then each event as it comes, instead of next(): no promise
   * waits between events, which with thousands of streams kept the old generation full of them.
   */
  listen(listener: LiveListener): void;
  /** The reader leaves: the stream closes at once. */
  return(): Promise<IteratorReturnResult<undefined>>;
  /** A listener wrote one of the events it was given to its client. */
  wrote(): void;
}

export interface LiveStream extends LiveSource {
  /** Queues an event; an error ends the stream once it is read. */
  push(event: LiveEvent): void;
  /** Completes the stream once what is queued has been read. */
  end(): void;
  /** Whether a page was ever pushed. */
  readonly hasPage: boolean;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A class rather than an object of closures: with ten thousand streams open, methods on the
 * prototype instead of a dozen closures each are a measurable share of the gateway's memory.
 */
class Stream implements LiveStream {
  private queue: LiveEvent[] = [];
  private ending = false;
  private closed = false;
  private waiting: ((result: IteratorResult<LiveEvent, undefined>) => void) | undefined;
  private listener: LiveListener | undefined;
  hasPage = false;

  constructor(
    private readonly onClose: () => void,
    private readonly onWritten: ((events: number) => void) | undefined,
  ) {}

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose();
  }

  private settle() {
    const { listener, queue } = this;
    if (listener !== undefined) {
      for (let event = queue.shift(); event !== undefined; event = queue.shift()) listener.next(event);
      if (this.ending && !this.closed) {
        this.close();
        listener.complete();
      }
      return;
    }
    const resolve = this.waiting;
    if (resolve === undefined) return;
    const event = queue.shift();
    if (event !== undefined) {
      this.waiting = undefined;
      this.onWritten?.(1);
      resolve({ done: false, value: event });
    } else if (this.ending || this.closed) {
      this.waiting = undefined;
      this.close();
      resolve(DONE);
    }
  }

  push(event: LiveEvent) {
    if (this.ending || this.closed) return;
    if (event.kind === 'page') {
      this.hasPage = true;
      if (this.queue.at(-1)?.kind === 'page') this.queue.pop();
    } else {
      this.ending = true;
    }
    this.queue.push(event);
    this.settle();
  }

  end() {
    this.ending = true;
    this.settle();
  }

  listen(listener: LiveListener) {
    this.listener = listener;
    this.settle();
  }

  next(): Promise<IteratorResult<LiveEvent, undefined>> {
    const event = this.queue.shift();
    if (event !== undefined) {
      this.onWritten?.(1);
      return Promise.resolve({ done: false, value: event });
    }
    if (this.ending || this.closed) {
      this.close();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return() {
    this.close();
    this.settle();
    return Promise.resolve(DONE);
  }

  wrote() {
    this.onWritten?.(1);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * `onClose` runs once, when the stream is read to its end or its reader leaves (return());
 * `onWritten` counts the events that reached the client.
 */
export function createStream(onClose: () => void, onWritten?: (events: number) => void): LiveStream {
  return new Stream(onClose, onWritten);
}

/** A stream of one event, an error, then the end: how a subscription refused up front answers. */
export function failedStream(error: GatewayError): LiveStream {
  const stream = createStream(() => {});
  stream.push({ kind: 'error', error, final: true });
  return stream;
}
