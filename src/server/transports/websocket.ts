/**
 * GraphQL over WebSocket (the graphql-ws protocol, subprotocol graphql-transport-ws) on the
 * gateway's own node:http server, at the GraphQL endpoint. Upgrades are checked here first
 * (path, Origin against CORS_ORIGINS, the caller's rate, its open sockets); the server that
 * speaks the protocol (websocket-server.ts) is loaded on the first upgrade that passes.
 *
 * The caller of a socket is who the upgrade request says it is: a hash of its own credential,
 * else its client address after TRUST_PROXY (DESIGN.md "Edges"). A credential sent later in
 * connection_init does not move the socket: it is counted where it was admitted.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { errorForLog } from '../../logger.ts';
import { callerIdentity, callerToken } from '../../upstream/auth.ts';
import { isOriginAllowed } from '../http/cors.ts';
import type { ClientAddress } from '../http/client-address.ts';
import { endSpans, serverSpans } from '../http/spans.ts';
import type { RequestSpans, Tracer } from '../../tracing/api.ts';
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

export interface WebSocketFrontOptions extends Omit<WebSocketOptions, 'addressOf' | 'upgradeSpansOf'> {
  /** Spans of each upgrade and of the operations on its socket, default none. */
  tracer?: Tracer | undefined;
  /** TRUST_PROXY's reading of a request (client-address.ts). */
  clientAddress: ClientAddress;
  /** LIVE_MAX_SOCKETS_PER_CALLER: open sockets per caller in this process. */
  maxSocketsPerCaller: number;
}

export function attachWebSocket(options: WebSocketFrontOptions): WebSocketFront {
  const { server, endpoint, log, corsOrigins, limiter, clientAddress, maxSocketsPerCaller, tracer } = options;
  // Open sockets per caller; a caller's entry goes with its last socket.
  const sockets = new Map<string, number>();
  // The client address each admitted upgrade was read with, for its socket's operations.
  const addresses = new WeakMap<IncomingMessage, string | undefined>();
  const addressOf = (req: IncomingMessage) => addresses.get(req);
  // The upgrade's spans, under which each operation on the socket gets its own.
  const upgrades = new WeakMap<IncomingMessage, RequestSpans>();
  const upgradeSpansOf = (req: IncomingMessage) => upgrades.get(req);
  let loading: Promise<WebSocketServer> | undefined;
  let wss: WebSocketServer | undefined;
  const load = () =>
    (loading ??= import('./websocket-server.ts').then(({ createWebSocketServer }) => (wss = createWebSocketServer({ ...options, addressOf, upgradeSpansOf }))));

  /** Counts a socket against its caller until it closes, however it closes; false when over the cap. */
  function admit(socket: Duplex, caller: string): boolean {
    const open = sockets.get(caller) ?? 0;
    if (open >= maxSocketsPerCaller) return false;
    sockets.set(caller, open + 1);
    socket.once('close', () => {
      const left = (sockets.get(caller) ?? 1) - 1;
      if (left > 0) sockets.set(caller, left);
      else sockets.delete(caller);
    });
    return true;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== endpoint) return refuse(socket, 404, 'Not Found');
    const address = clientAddress(req);
    // The upgrade is the SERVER span of the socket's operations; it ends at the 101 (or the refusal).
    const spans = tracer === undefined ? undefined : serverSpans(tracer, req, endpoint, address);
    const answer = (status: number, reason: string) => {
      if (spans !== undefined) endSpans(spans, status);
      refuse(socket, status, reason);
    };
    // Cross-site WebSocket hijacking: a foreign page's browser sends its Origin. Native apps send none.
    if (req.headers.origin !== undefined && !isOriginAllowed(req.headers.origin, corsOrigins)) return answer(403, 'Forbidden');
    const upgrade = (wait: number) => {
      if (wait > 0) return answer(429, 'Too Many Requests');
      // Gone while a shared bucket answered: nothing to count, and no 'close' would uncount it.
      if (socket.destroyed) return;
      if (!admit(socket, callerIdentity(token, address))) return answer(429, 'Too Many Requests');
      addresses.set(req, address);
      if (spans !== undefined) upgrades.set(req, spans);
      load().then(
        (server) => {
          if (socket.destroyed) return;
          server.handleUpgrade(req, socket, head, (ws) => {
            if (spans !== undefined) endSpans(spans, 101);
            server.emit('connection', ws, req);
          });
        },
        (err: unknown) => {
          log.error({ error: errorForLog(err) }, 'cannot load the websocket server');
          answer(503, 'Service Unavailable');
        },
      );
    };
    // The upgrade request's own credential, as the connection's operations default to it.
    const token = callerToken({ get: (name) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null) });
    const wait = limiter.take(token, address);
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
