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
import type { RequestTrace } from './telemetry.ts';
import { publicError, traceErrors } from './use-request-trace.ts';

const PING = ':\n\n';
const PING_MS = 12_000;
const COMPLETE = 'event: complete\ndata:\n\n';

// One timer pings every open stream, rather than one interval each.
const open = new Set<ServerResponse>();
let ticker: NodeJS.Timeout | undefined;
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

// The event text of a result nobody else changed, shared by every subscriber that gets it.
const encoded = new WeakMap<ExecutionResult, Buffer>();
const eventOf = (json: string) => Buffer.from(`event: next\ndata: ${json}\n\n`);

export interface StreamOptions {
  trace: RequestTrace;
  maskError(error: unknown, message: string): Error;
}

/** Streams `results` until they end (then `complete`) or the client leaves (then they are returned). */
export async function streamResults(res: ServerResponse, results: AsyncIterableIterator<ExecutionResult>, { trace, maskError }: StreamOptions) {
  res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache', 'content-encoding': 'none' });
  res.write(PING);
  track(res);
  let gone = false;
  let drained: (() => void) | undefined;
  const onDrain = () => drained?.();
  res.on('drain', onDrain);
  res.once('close', () => {
    gone = true;
    untrack(res);
    drained?.();
    void results.return?.();
  });
  try {
    for (;;) {
      const { done, value } = await results.next();
      if (gone) return;
      if (done) break;
      // A slow reader is written to once it caught up; the registry keeps only the newest page meanwhile.
      if (!res.write(chunkOf(value, trace, maskError))) await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
      if (gone) return;
    }
    res.end(COMPLETE);
  } finally {
    res.off('drain', onDrain);
    untrack(res);
  }
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
