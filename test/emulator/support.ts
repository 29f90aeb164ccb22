// What the emulator's socket tests share: one emulator per test file (useEmulator), fetch for
// ordinary calls (call) and node:http where the exact bytes on the wire matter (raw).
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/index.ts';

export const PATH = '/v1/proj-1/training-jobs';
export const AUTH = { 'x-auth-token': 'test-token' };
export const HEX32 = /^[0-9a-f]{32}$/;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

/** The shared emulator of the current test file, once useEmulator() has started it. */
export let emu: Emulator;

/** Starts the shared emulator for the file, clears its fault and log after each test, closes it at the end. */
export function useEmulator(): void {
  beforeAll(async () => {
    emu = await createEmulator().listen();
  });
  afterEach(() => {
    emu.setFault(null);
    emu.clearRequests();
  });
  afterAll(async () => {
    await emu.close();
  });
}

export async function call(query = '', init: { path?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = `${emu.url}${init.path ?? PATH}${query === '' ? '' : `?${query}`}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? AUTH });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** true when the connection died before the body was complete */
  cut: boolean;
}

/**
 * One request on a fresh connection, reporting whatever bytes arrived before any cut. `base`
 * defaults to the shared emulator; `chunks` counts the pieces the body arrived in.
 */
export function raw(
  path: string,
  init: { method?: string; headers?: OutgoingHttpHeaders; base?: string; body?: Buffer } = {},
): Promise<RawReply & { chunks: number }> {
  return new Promise((resolve, reject) => {
    const url = `${init.base ?? emu.url}${path}`;
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? AUTH, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const finish = (cut: boolean): void =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), cut, chunks: chunks.length });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(false));
      res.on('aborted', () => finish(true));
      res.on('error', () => finish(true));
    });
    req.end(init.body);
  });
}

/** Polls until `cond` holds: server-side events (a socket closing, 'finish') land a moment after the client's. */
export async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
