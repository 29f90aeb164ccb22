/**
 * LIVE_MAX_SOCKETS_PER_CALLER (DESIGN.md "Edges"): open WebSockets per caller and process, the
 * caller being the upgrade request's own credential (hashed), else its client address after
 * TRUST_PROXY. The upgrade beyond the cap gets 429 before the handshake; a socket counts until it
 * closes, however it closes; a credential sent later in connection_init does not move it.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startStack, type Stack } from '../support/stack.ts';

const CAP = 2;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ maxSocketsPerCaller: CAP, trustProxy: ['loopback'] });
});
afterAll(() => stack.close());

// Every socket a test left open, cut after it (each test has callers of its own).
const open: WebSocket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) socket.terminate();
});

/** An upgrade: the socket once open (101), or the status it was refused with. */
function upgrade(headers: Record<string, string>): Promise<{ status: number; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${stack.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      open.push(socket);
      resolve({ status: 101, socket });
    });
    socket.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode!, socket }));
    socket.on('error', () => {});
  });
}

/** The status of an upgrade whose socket is closed at once when it opens. */
async function tryOpen(headers: Record<string, string>): Promise<number> {
  const { status, socket } = await upgrade(headers);
  if (status === 101) {
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
  }
  return status;
}

/** How many sockets a caller can open now (none is left open). */
async function capacity(headers: Record<string, string>): Promise<number> {
  const opened: WebSocket[] = [];
  for (let i = 0; i <= CAP; i++) {
    const { status, socket } = await upgrade(headers);
    if (status !== 101) break;
    opened.push(socket);
  }
  await Promise.all(opened.map((socket) => new Promise((resolve) => socket.once('close', resolve).close())));
  return opened.length;
}

const statuses = async (headers: Record<string, string>, n: number) => {
  const result: number[] = [];
  for (let i = 0; i < n; i++) result.push((await upgrade(headers)).status);
  return result;
};

/** Sends connection_init and waits for the ack: the socket is a graphql-ws connection. */
async function init(socket: WebSocket, payload: Record<string, unknown>): Promise<void> {
  socket.send(JSON.stringify({ type: 'connection_init', payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : reject(new Error(String(data)))));
  });
}

describe('by credential', () => {
  it('refuses the upgrade beyond the cap with 429, while another credential still connects', async () => {
    expect(await statuses({ 'x-auth-token': 'alice' }, CAP + 1)).toEqual([101, 101, 429]);
    expect(await statuses({ authorization: 'Bearer bob' }, 1)).toEqual([101]);
    // The same credential however it is sent: one caller.
    expect(await statuses({ authorization: 'Bearer alice' }, 1)).toEqual([429]);
  });

  it('lets the next socket in once one closes, by a close frame or a cut connection', async () => {
    const carol = { 'x-auth-token': 'carol' };
    const [first, second] = [await upgrade(carol), await upgrade(carol)];
    expect(await tryOpen(carol)).toBe(429);
    first.socket.close();
    await vi.waitFor(async () => expect(await tryOpen(carol)).toBe(101));
    second.socket.terminate();
    await vi.waitFor(async () => expect(await capacity(carol)).toBe(CAP));
  });

  it('counts a socket whose handshake fails after it was admitted only until it closes', async () => {
    // Admitted (path, Origin, rate and cap pass), then refused by ws itself: 400, no handshake.
    const badHandshake = () =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(stack.origin);
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Auth-Token: dave\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not-a-key\r\n\r\n');
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text.split('\r\n', 1)[0]!));
        socket.on('error', reject);
      });
    for (let i = 0; i < CAP + 2; i++) expect(await badHandshake()).toMatch(/^HTTP\/1\.1 400/);
    await vi.waitFor(async () => expect(await capacity({ 'x-auth-token': 'dave' })).toBe(CAP));
  });
});

describe('by address, without a credential', () => {
  it('counts the sockets of one forwarded address, and no other', async () => {
    expect(await statuses({ 'x-forwarded-for': '203.0.113.1' }, CAP + 1)).toEqual([101, 101, 429]);
    expect(await statuses({ 'x-forwarded-for': '198.51.100.9, 203.0.113.2' }, 1)).toEqual([101]);
    // A forged entry before the address the proxy appended changes nothing.
    expect(await statuses({ 'x-forwarded-for': '198.51.100.9, 203.0.113.1' }, 1)).toEqual([429]);
    // A credential makes another caller, even from the same address.
    expect(await statuses({ 'x-forwarded-for': '203.0.113.1', 'x-auth-token': 'erin' }, 1)).toEqual([101]);
  });

  it('keeps a socket where it was admitted when connection_init brings a credential', async () => {
    const sockets = [await upgrade({ 'x-forwarded-for': '203.0.113.3' }), await upgrade({ 'x-forwarded-for': '203.0.113.3' })];
    for (const { socket } of sockets) await init(socket, { 'x-auth-token': 'frank' });
    // Still the address's two sockets, and none of frank's.
    expect(await tryOpen({ 'x-forwarded-for': '203.0.113.3' })).toBe(429);
    expect(await statuses({ 'x-auth-token': 'frank' }, CAP + 1)).toEqual([101, 101, 429]);
  });
});
