/**
 * One execution and one serialization per event, however many subscribers receive it. The live
 * registry hands the same event object to every subscriber of a key (src/live/), and graphql-js
 * would execute the selection once per subscriber and yoga would stringify each result: with
 * thousands of subscribers on a hundred keys that was most of the gateway's CPU (docs/benchmarks.md
 * "Live updates"). Here a subscription's events are executed once per (event, document,
 * operation, variables), and the shared result carries a memoized `stringify`, which yoga's SSE
 * writer uses instead of JSON.stringify.
 *
 * Sharing is sound because subscribers of one event share its key, credential included, and
 * nothing below Subscription.trainingJobs reads the context; errors get each subscriber's
 * request id later (use-request-trace.ts), on a copy.
 */
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type Result = ExecutionResult | Promise<ExecutionResult>;

export interface SharedResults {
  /** The result of one subscription event: executed once per (event, document, operation, variables). */
  execute(args: ExecutionArgs, event: unknown): Result;
  /** graphql-js's subscribe, with each event's result from execute() above. */
  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
}

/** The memo both SSE paths share (yoga's, through the plugin below, and live-path.ts). */
export function createSharedResults(): SharedResults {
  // Keys are objects, so nothing here outlives the events and documents it describes.
  const results = new WeakMap<object, Map<string, Result>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;

  function shared(args: ExecutionArgs, event: unknown): Result {
    if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = nextDocumentId++));
    const key = `${documentId}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
    let byOperation = results.get(event);
    if (byOperation === undefined) results.set(event, (byOperation = new Map()));
    let result = byOperation.get(key);
    if (result === undefined) {
      result = execute({ ...args, rootValue: event });
      if (result instanceof Promise) void result.then(memoizeStringify, () => {});
      else memoizeStringify(result);
      byOperation.set(key, result);
    }
    return result;
  }

  async function subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const events = source[Symbol.asyncIterator]();
    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const { done, value } = await events.next();
        return done ? { done: true, value: undefined } : { done: false, value: await shared(args, value) };
      },
      async return() {
        await events.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => mapped,
    };
    return mapped;
  }

  return { execute: shared, subscribe };
}

export function useSharedSubscriptionResults(shared: SharedResults): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(shared.subscribe as never);
    },
  };
}

/**
 * yoga's writer calls `result.stringify(sanitized)` when the result has one (result-processor/
 * stringify.js). Non-enumerable, so a copy (made to add a request id, say) does not carry it;
 * and it serializes anything but the very result it sits on afresh.
 */
function memoizeStringify(result: ExecutionResult): void {
  let text: string | undefined;
  Object.defineProperty(result, 'stringify', {
    value: (value: unknown) => (value === result ? (text ??= JSON.stringify(value)) : JSON.stringify(value)),
    enumerable: false,
  });
}
