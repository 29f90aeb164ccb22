/**
 * GraphQL over WebSocket (the graphql-ws protocol, subprotocol graphql-transport-ws) on the
 * gateway's own node:http server, at the GraphQL endpoint. Upgrades are checked here first
 * (path, Origin against CORS_ORIGINS, the caller's rate); the server that speaks the protocol
 * (websocket-server.ts) is loaded on the first upgrade that passes.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { errorForLog } from '../../logger.ts';
import { callerToken } from '../../upstream/auth.ts';
import { isOriginAllowed } from '../http/cors.ts';
import type { WebSocketOptions } from './websocket-server.ts';

export interface WebSocketFront {
  /** Loads the WebSocket server now rather than on the first upgrade. */
  warm(): Promise<unknown>;
  /** Closes every connection with 1001 (going away), so that clients reconnect elsewhere. */
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachWebSocket(options: WebSocketOptions): WebSocketFront {
  const { server, endpoint, log, corsOrigins, limiter } = options;
  let loading: Promise<WebSocketServer> | undefined;
  let wss: WebSocketServer | undefined;
  const load = () =>
    (loading ??= import('./websocket-server.ts').then(({ createWebSocketServer }) => (wss = createWebSocketServer(options))));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== endpoint) return refuse(socket, 404, 'Not Found');
    // Cross-site WebSocket hijacking: a foreign page's browser sends its Origin. Native apps send none.
    if (req.headers.origin !== undefined && !isOriginAllowed(req.headers.origin, corsOrigins)) return refuse(socket, 403, 'Forbidden');
    const upgrade = (wait: number) => {
      if (wait > 0) return refuse(socket, 429, 'Too Many Requests');
      load().then(
        (server) => {
          if (!socket.destroyed) server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req));
        },
        (err: unknown) => {
          log.error({ error: errorForLog(err) }, 'cannot load the websocket server');
          refuse(socket, 503, 'Service Unavailable');
        },
      );
    };
    // The upgrade request's own credential, as the connection's operations default to it.
    const token = callerToken({ get: (name) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null) });
    const wait = limiter.take(token, req.socket.remoteAddress);
    if (typeof wait === 'number') upgrade(wait);
    else void wait.then(upgrade);
  });

  return {
    warm: load,
    async close() {
      const clients = wss?.clients;
      if (wss === undefined || clients === undefined) return;
      for (const ws of clients) ws.close(1001, 'Going away');
      // A client that does not answer the closing handshake is cut after a moment.
      const deadline = Date.now() + 1000;
      while (clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of clients) ws.terminate();
      await new Promise((resolve) => wss?.close(resolve));
    },
  };
}
