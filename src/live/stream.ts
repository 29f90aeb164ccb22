/**
 * One subscriber's stream of events, as the async iterator GraphQL subscriptions consume, or
 * pushed to a listener. A slow reader never makes it grow: a page waiting to be read is replaced
 * by a newer one (only the latest page matters), and an error is the last event.
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

/** `onClose` runs once, when the stream is read to its end or its reader leaves (return()). */
export function createStream(onClose: () => void): LiveStream {
  const queue: LiveEvent[] = [];
  let ending = false;
  let closed = false;
  let hasPage = false;
  let waiting: ((result: IteratorResult<LiveEvent, undefined>) => void) | undefined;
  let listener: LiveListener | undefined;

  function close() {
    if (closed) return;
    closed = true;
    queue.length = 0;
    onClose();
  }

  function settle() {
    if (listener !== undefined) {
      for (let event = queue.shift(); event !== undefined; event = queue.shift()) listener.next(event);
      if (ending && !closed) {
        close();
        listener.complete();
      }
      return;
    }
    if (waiting === undefined) return;
    const resolve = waiting;
    const event = queue.shift();
    if (event !== undefined) {
      waiting = undefined;
      resolve({ done: false, value: event });
    } else if (ending || closed) {
      waiting = undefined;
      close();
      resolve(DONE);
    }
  }

  const stream: LiveStream = {
    get hasPage() {
      return hasPage;
    },
    push(event) {
      if (ending || closed) return;
      if (event.kind === 'page') {
        hasPage = true;
        if (queue.at(-1)?.kind === 'page') queue.pop();
      } else {
        ending = true;
      }
      queue.push(event);
      settle();
    },
    end() {
      ending = true;
      settle();
    },
    listen(reader) {
      listener = reader;
      settle();
    },
    next() {
      const event = queue.shift();
      if (event !== undefined) return Promise.resolve({ done: false, value: event });
      if (ending || closed) {
        close();
        return Promise.resolve(DONE);
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      close();
      settle();
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

/** A stream of one event, an error, then the end: how a subscription refused up front answers. */
export function failedStream(error: GatewayError): LiveStream {
  const stream = createStream(() => {});
  stream.push({ kind: 'error', error, final: true });
  return stream;
}
