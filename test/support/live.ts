/**
 * Subscribers for tests, over real sockets: a plain SSE reader (fetch, the graphql-sse
 * protocol's distinct connections mode parsed by hand, so a test sees every byte and can cut the
 * socket) and a graphql-ws client. Each collects the results it receives and whether the stream
 * completed.
 */
import { createClient, type Client } from 'graphql-ws';
import { vi } from 'vitest';
import WebSocket from 'ws';

export interface Result {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export interface Subscriber {
  results: Result[];
  /** Resolves when the stream completed (or failed: then with the error). */
  done: Promise<unknown>;
  completed: boolean;
  /** Leaves (SSE: aborts the request; WS: completes the operation). */
  stop(): void;
  /** Waits until at least n results arrived. */
  received(n: number, timeout?: number): Promise<Result[]>;
}

function collector(): Pick<Subscriber, 'results' | 'completed' | 'received'> {
  const self = {
    results: [] as Result[],
    completed: false,
    async received(n: number, timeout = 5000) {
      await vi.waitFor(() => {
        if (self.results.length < n) throw new Error(`${self.results.length} of ${n} results`);
      }, { timeout, interval: 10 });
      return self.results;
    },
  };
  return self;
}

export interface SseOptions {
  headers?: Record<string, string>;
  variables?: Record<string, unknown>;
  /** The raw response, for tests of the wire format. */
  onResponse?: (res: Response) => void;
  /** The body text as it arrives. */
  onText?: (text: string) => void;
  /** More request parameters (operationName, extensions), sent when defined. */
  extra?: Record<string, unknown>;
}

/** A subscription over SSE: POST with Accept: text/event-stream, events parsed by hand. */
export function sse(origin: string, query: string, options: SseOptions = {}): Subscriber & { response: Promise<Response> } {
  const controller = new AbortController();
  const self = collector();
  const response = fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables, ...options.extra }),
    signal: controller.signal,
  });
  const done = response.then(async (res) => {
    options.onResponse?.(res);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      options.onText?.(text);
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (event === 'next' && data) self.results.push(JSON.parse(data));
        if (event === 'complete') self.completed = true;
      }
    }
  });
  done.catch(() => {});
  return Object.assign(self, { done, response, stop: () => controller.abort() });
}

/** A graphql-ws client on its own connection. */
export function wsClient(origin: string, connectionParams?: Record<string, unknown>, headers?: Record<string, string>): Client {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: headers ? WithHeaders : WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** A subscription over a graphql-ws client. */
export function ws(client: Client, query: string, variables?: Record<string, unknown>, extensions?: Record<string, unknown>): Subscriber {
  const self = collector();
  let stop = () => {};
  const done = new Promise((resolve, reject) => {
    stop = client.subscribe(
      { query, variables, extensions },
      {
        next: (result) => void self.results.push(result as Result),
        error: reject,
        complete: () => {
          self.completed = true;
          resolve(undefined);
        },
      },
    );
  });
  done.catch(() => {});
  return Object.assign(self, { done, stop: () => stop() });
}

/** A graphql-ws conversation by hand: one subscription, every message kept, and the close code. */
export function rawWs(origin: string, query: string, init: Record<string, unknown>) {
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: Array<{ type: string; id?: string; payload?: any }> = [];
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const nexts = () => messages.filter((m) => m.type === 'next');
  return { socket, messages, nexts, closed };
}
