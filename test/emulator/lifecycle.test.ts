// The emulator's lifecycle: close() does not hang on open sockets or pending delays, and down()
// and up() refuse and restore connections on the same url, idempotently and in order.
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import { AUTH, PATH, raw, until } from './support.ts';

describe('close', () => {
  it('does not hang with a keep-alive client connected or a delayed answer pending', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject).end();
    });
    own.setFault({ delayMs: 60_000 });
    const pending = fetch(`${own.url}${PATH}`, { headers: AUTH }).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    await own.close();
    expect(performance.now() - start).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    agent.destroy();
  });
});

describe('down and up', () => {
  const refusal = (url: string): Promise<unknown> =>
    fetch(`${url}${PATH}`, { headers: AUTH }).then(
      () => null,
      (err: unknown) => (err as { cause?: { code?: string } }).cause?.code,
    );

  it('refuses connections while down and answers on the same url once up again', async () => {
    const own = await createEmulator().listen();
    try {
      const { url, port } = own;
      // raw uses its own connection: a pooled fetch socket would fail differently after down().
      expect((await raw(PATH, { base: url })).status).toBe(200);
      await own.down();
      expect(own.connections).toBe(0);
      expect(await refusal(url)).toBe('ECONNREFUSED');
      expect(own.url).toBe(url);
      expect(own.port).toBe(port);
      await own.up();
      expect(own.url).toBe(url);
      const again = await fetch(`${url}${PATH}`, { headers: AUTH });
      expect(again.status).toBe(200);
      await again.text();
    } finally {
      await own.close();
    }
  });

  it('destroys open connections and cancels a pending delay', async () => {
    const own = await createEmulator().listen();
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${own.url}${PATH}`, { headers: AUTH, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      own.setFault({ delayMs: 60_000 });
      const pending = raw(PATH, { base: own.url }).then(() => 'answered', () => 'failed');
      await until('the delayed request to arrive', () => own.requests.length === 2);
      expect(own.connections).toBe(2);
      await own.down();
      expect(own.connections).toBe(0);
      expect(await pending).toBe('failed');
      expect(own.requests[1]?.aborted).toBeUndefined(); // cut by down(), not by the client
      expect(own.answered).toBe(1);
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('treats down when down and up when up as no-ops, also when concurrent', async () => {
    const own = await createEmulator().listen();
    try {
      await own.down();
      await own.down();
      await Promise.all([own.down(), own.down()]);
      expect(await refusal(own.url)).toBe('ECONNREFUSED');
      await Promise.all([own.up(), own.up()]);
      await own.up();
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
      // Issued back to back without waiting: they run in order, ending up.
      await Promise.all([own.down(), own.up(), own.down(), own.up()]);
      expect((await raw(PATH, { base: own.url })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('closes while down, then refuses up(); close() twice is fine', async () => {
    const own = await createEmulator().listen();
    await own.down();
    await own.close();
    await expect(own.up()).rejects.toThrow(/closed/);
    await own.close();
    expect(await refusal(own.url)).toBe('ECONNREFUSED');
  });

  it('does nothing on down() before listen(), and rejects up() before listen()', async () => {
    const idle = createEmulator();
    await idle.down();
    await expect(idle.up()).rejects.toThrow(/listen/);
    await idle.close();
  });
});
