/**
 * Writes a subscription's results to a node:http response as yoga does for SSE (graphql-sse's
 * distinct connections mode: a `:` comment at once and every 12 s, `event: next` with each
 * result, `event: complete` at the end, the same headers), for the fast path (fast-path.ts).
 * yoga's own writer goes through Fetch API objects and a ReadableStream per subscriber, which
 * cost more memory per stream and more CPU per event than the event itself; here a result
 * shared by many subscribers is serialized once (use-shared-subscription-results.ts) and each
 * subscriber gets the same bytes.
 */
import type { ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { LiveEvent } from '../../live/events.ts';
import type { LiveSource } from '../../live/stream.ts';
import type { RequestTrace } from '../../context.ts';
import { publicError, traceErrors } from '../plugins/use-request-trace.ts';
import { EVENT_STREAM_CACHE_CONTROL } from './compression.ts';
import { endServer } from '../http/spans.ts';

const PING = ':\n\n';
const PING_MS = 12_000;
const COMPLETE = 'event: complete\ndata:\n\n';

export interface StreamOptions {
  trace: RequestTrace;
  maskError(error: unknown, message: string): Error;
  /** The result of one event (shared by its subscribers: use-shared-subscription-results.ts). */
  execute(event: LiveEvent): ExecutionResult | Promise<ExecutionResult>;
}

/**
 * The writer of one gateway: its streams share one keep-alive ticker (rather than an interval
 * each) and the bytes of every result nobody else changed.
 */
export function createStreamWriter() {
  const open = new Set<ServerResponse>();
  let ticker: NodeJS.Timeout | undefined;
  const encoded = new WeakMap<ExecutionResult, Buffer>();

  function track(res: ServerResponse) {
    open.add(res);
    ticker ??= setInterval(() => {
      for (const stream of open) if (stream.writableLength === 0) stream.write(PING);
    }, PING_MS).unref();
  }

  function untrack(res: ServerResponse) {
    open.delete(res);
    if (open.size === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  /**
   * Streams the source's events as results until it ends (then `complete`) or the client leaves
   * (then the source is returned). Pushed, not pulled: nothing waits between events. A reader that
   * does not keep up gets the newest result once its socket drains, the ones between are dropped
   * (and the source is told of the ones written: the live events metric counts those).
   */
  function streamResults(res: ServerResponse, source: LiveSource, { trace, maskError, execute }: StreamOptions): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': EVENT_STREAM_CACHE_CONTROL });
    res.write(PING);
    track(res);
    let waiting: ExecutionResult | undefined;
    const write = (result: ExecutionResult) => {
      if (res.destroyed || res.writableEnded) return;
      if (res.writableNeedDrain) waiting = result;
      else {
        res.write(chunkOf(result, trace, maskError));
        source.wrote();
        // The first event ends the request's spans: a stream never holds one open.
        endServer(trace, 200);
      }
    };
    const onDrain = () => {
      const result = waiting;
      waiting = undefined;
      if (result !== undefined) write(result);
    };
    res.on('drain', onDrain);
    res.once('close', () => {
      untrack(res);
      res.off('drain', onDrain);
      void source.return();
    });
    source.listen({
      next(event) {
        const result = execute(event);
        if (result instanceof Promise) void result.then(write);
        else write(result);
      },
      complete() {
        if (waiting !== undefined && !res.destroyed) {
          res.write(chunkOf(waiting, trace, maskError));
          source.wrote();
        }
        waiting = undefined;
        if (!res.destroyed) res.end(COMPLETE);
      },
    });
  }

  function chunkOf(result: ExecutionResult, trace: RequestTrace, maskError: StreamOptions['maskError']): Buffer {
    if (!result.errors?.length) {
      let chunk = encoded.get(result);
      if (chunk === undefined) encoded.set(result, (chunk = eventOf(JSON.stringify(result))));
      return chunk;
    }
    const masked = result.errors.map((error) => maskError(error, 'Unexpected error.') as GraphQLError);
    return eventOf(JSON.stringify({ ...result, errors: traceErrors(trace, masked).map(publicError) }));
  }

  return streamResults;
}

const eventOf = (json: string) => Buffer.from(`event: next\ndata: ${json}\n\n`);
