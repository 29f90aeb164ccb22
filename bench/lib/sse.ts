/**
 * The subscriber side of npm run bench:live and of npm run soak's live load: one graphql-sse
 * "distinct connections" stream per call, over node:http with `agent: false` (a socket each, as
 * every browser tab has its own). Events are parsed by hand: at 10,000 streams in the runner's
 * one core, fetch and a WHATWG stream parser would make the clients, not the gateway, set the pace.
 */
import { request } from 'node:http';

export interface SseHandlers {
  /** The `data` of one `event: next`, and when its last byte arrived (Date.now()). */
  next(data: string, at: number): void;
  /** The stream ended without close(): `complete`, a status other than 200, an error, the server hanging up. */
  end(reason: string): void;
}

export interface SseStream {
  /** Hangs up (the gateway sees the socket close, as when a tab is closed); end() is not called. */
  close(): void;
}

export function openSse(url: URL, body: string, headers: Record<string, string>, on: SseHandlers): SseStream {
  let over = false;
  const finish = (reason: string) => {
    if (over) return;
    over = true;
    on.end(reason);
  };
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      ...headers,
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  }, (res) => {
    if (res.statusCode !== 200) {
      finish(`HTTP ${res.statusCode}`);
      req.destroy();
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      const at = Date.now();
      buffer += chunk;
      // An event may come in several chunks (yoga writes `event:` and `data:` apart): act on whole blocks only.
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        block(text, at);
      }
    });
    res.on('end', () => finish('ended by the server'));
    res.on('error', (err) => finish(`error: ${err.message}`));
  });

  function block(text: string, at: number) {
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) continue; // keep-alive comment
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (event === 'next' && !over) on.next(data.join('\n'), at);
    else if (event === 'complete') finish('complete');
  }

  req.on('error', (err) => finish(`error: ${err.message}`));
  req.end(body);
  return {
    close() {
      over = true;
      req.destroy();
    },
  };
}
