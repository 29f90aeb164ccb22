// What the emulator records: the request log (raw path and query, decoded params, headers, arrival
// order) and its counts of open connections, complete answers and requests a client aborted.
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import { AUTH, PATH, call, emu, raw, until, useEmulator } from './support.ts';

useEmulator();

describe('request log', () => {
  it('keeps the raw path and query, decoded params in order, and lower-case headers', async () => {
    const query = 'search_content=a%20b+c&sortBy=job_name&x=%E4%B8%80&search_content=second';
    await call(query, { headers: { 'X-Auth-Token': 'tok', 'X-Sdk-Date': '20191115T033655Z' } });
    expect(emu.requests).toHaveLength(1);
    const [logged] = emu.requests;
    expect(logged).toMatchObject({ method: 'GET', path: PATH, query });
    expect(logged?.params).toEqual([['search_content', 'a b c'], ['sortBy', 'job_name'], ['x', '一'], ['search_content', 'second']]);
    expect(logged?.headers).toMatchObject({ 'x-auth-token': 'tok', 'x-sdk-date': '20191115T033655Z' });
  });

  it('joins repeated headers and records an empty query as ""', async () => {
    await raw(PATH, { headers: { ...AUTH, 'x-multi': ['a', 'b'] } });
    expect(emu.requests[0]).toMatchObject({ query: '', params: [] });
    expect(emu.requests[0]?.headers['x-multi']).toBe('a, b');
  });

  it('records rejected and odd requests in arrival order, and clears', async () => {
    await call('', { headers: {} });
    await call('', { path: '/elsewhere' });
    await call('', { method: 'DELETE' });
    await call('per_page=%E0%A4%A');
    expect(emu.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `GET ${PATH}?`, 'GET /elsewhere?', `DELETE ${PATH}?`, `GET ${PATH}?per_page=%E0%A4%A`,
    ]);
    const log = emu.requests;
    await until('4 answers', () => emu.answered === 4);
    emu.clearRequests();
    expect(log).toHaveLength(0);
    expect(emu.answered).toBe(0);
  });
});

describe('connections, answered and aborted', () => {
  it('counts open sockets: up with a keep-alive request, down when the client destroys it', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    try {
      expect(own.connections).toBe(0);
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      expect(own.connections).toBe(1); // the answer is over, the socket stays open
      agent.destroy();
      await until('the server to see the socket close', () => own.connections === 0);
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('tells received from answered when a client cancels during a delay', async () => {
    const own = await createEmulator().listen();
    try {
      own.setFault({ delayMs: 60_000, times: 1 });
      // node:http rather than fetch: Node 20's fetch sometimes keeps an aborted request's socket
      // open for its 4 s keep-alive timeout, which would only slow this test down.
      const req = httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent: false });
      const failed = new Promise((resolve) => req.on('error', resolve));
      req.end();
      await until('the request to arrive', () => own.requests.length === 1);
      req.destroy();
      expect(await failed).toBeInstanceOf(Error);
      await until('the socket to close', () => own.connections === 0);
      await until('the request to be marked aborted', () => own.requests[0]?.aborted === true);
      expect(own.answered).toBe(0);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
      await until('one answer', () => own.answered === 1);
      expect(own.requests[1]?.aborted).toBeUndefined();
    } finally {
      await own.close();
    }
  });

  it('counts only complete answers, not resets or truncations', async () => {
    await call();
    await call('per_page=0');
    await until('2 answers', () => emu.answered === 2);
    emu.setFault({ reset: true, times: 1 });
    await expect(fetch(`${emu.url}${PATH}`, { headers: AUTH })).rejects.toThrow();
    emu.setFault({ truncate: true, times: 1 });
    expect((await raw(PATH)).cut).toBe(true);
    await call();
    await until('3 answers', () => emu.answered === 3);
    expect(emu.requests).toHaveLength(5);
    expect(emu.requests.every((r) => r.aborted === undefined)).toBe(true);
  });
});
