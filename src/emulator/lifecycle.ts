// Listening and stopping. Besides listen/close, the emulator can go down and come back up on the
// same host and port, as a restarting upstream does, so gateway tests can see refused
// connections and then recovery without reconfiguring the gateway's endpoint.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Lifecycle {
  /** undefined before the first listen(); kept while down */
  readonly address: { url: string; port: number } | undefined;
  /** currently open client sockets */
  readonly connections: number;
  listen(port: number, host: string): Promise<void>;
  up(): Promise<void>;
  down(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `onStop` runs whenever down() or close() is about to destroy connections: the server uses it
 * to cancel its timers and to note that in-flight answers were cut by the emulator, not by clients.
 */
export function manageServer(server: Server, onStop: () => void): Lifecycle {
  const sockets = new Set<Socket>();
  // Kept as given, not as shown in the url: up() must bind the same (possibly wildcard) host.
  let bound: { host: string; port: number; url: string } | undefined;
  let closed = false;
  // One transition at a time: a listen() that started while a close was still draining would
  // keep that close from ever completing (Node only reports 'close' once nothing is bound).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (op: () => Promise<void>): Promise<void> => {
    const run = queue.then(op);
    queue = run.catch(() => undefined);
    return run;
  };

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function bind(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const actual = (server.address() as AddressInfo).port;
        // A wildcard address is fine to bind but not to connect to: advertise loopback instead.
        const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
        bound = { host, port: actual, url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}` };
        resolve();
      });
    });
  }

  /** Destroys every open socket; resolves once each has emitted 'close', so `connections` reads 0. */
  function destroyAll(): Promise<void> {
    const closing = [...sockets].map((socket) => new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    }));
    return Promise.all(closing).then(() => undefined);
  }

  function stop(): Promise<void> {
    onStop();
    if (!server.listening) return destroyAll();
    const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    // Keep-alive and mid-answer sockets would otherwise hold close() open, and a client on one of
    // them would still be served although the emulator is meant to be gone.
    return Promise.all([closed, destroyAll()]).then(() => undefined);
  }

  return {
    get address() {
      return bound === undefined ? undefined : { url: bound.url, port: bound.port };
    },
    get connections() {
      return sockets.size;
    },
    listen(port, host) {
      return serial(() => {
        closed = false;
        return bind(port, host);
      });
    },
    up() {
      return serial(() => {
        if (closed) return Promise.reject(new Error('emulator.up(): the emulator was closed'));
        if (server.listening) return Promise.resolve();
        if (bound === undefined) return Promise.reject(new Error('emulator.up() needs an earlier listen()'));
        return bind(bound.port, bound.host);
      });
    },
    down() {
      return serial(stop);
    },
    close() {
      return serial(() => {
        closed = true;
        return stop();
      });
    },
  };
}
