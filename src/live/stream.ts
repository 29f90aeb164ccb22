/**
 * One subscriber's stream of events, as the async iterator GraphQL subscriptions consume. A
 * slow reader never makes it grow: a page waiting to be read is replaced by a newer one (only
 * the latest page matters), and an error is the last event.
 */
import type { LiveEvent } from './events.ts';

export interface LiveStream extends AsyncIterableIterator<LiveEvent> {
  /** Queues an event; an error ends the stream once it is read. */
  push(event: LiveEvent): void;
  /** Completes the stream once what is queued has been read. */
  end(): void;
  /** Whether a page was ever pushed. */
  readonly hasPage: boolean;
  /** The reader leaves: the stream closes at once. */
  return(): Promise<IteratorReturnResult<undefined>>;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** `onClose` runs once, when the stream is read to its end or its reader leaves (return()). */
export function createStream(onClose: () => void): LiveStream {
  const queue: LiveEvent[] = [];
  let ending = false;
  let closed = false;
  let hasPage = false;
  let waiting: ((result: IteratorResult<LiveEvent, undefined>) => void) | undefined;

  function close() {
    if (closed) return;
    closed = true;
    queue.length = 0;
    onClose();
  }

  function settle() {
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
