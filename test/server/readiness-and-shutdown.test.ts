/**
 * Readiness and graceful shutdown: in process (drain, /ready, the grace period), and as the real
 * process a container runs (signals, exit codes, the log lines, --help and bad configuration).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VARIABLES } from '../../src/config.ts';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { rawWs, sse } from '../support/live.ts';
import { ROOT, startGatewayProcess } from '../support/process.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const JOBS = 'query Jobs { trainingJobs(perPage: 3) { totalCount jobs { id } } }';
const LIVE = 'subscription Live { trainingJobs(perPage: 3) { totalCount jobs { id } } }';

/** A GET on a connection of its own, so that a refused connection shows as ECONNREFUSED. */
function get(origin: string, path: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function post(origin: string, query: string) {
  return fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify({ query }) });
}

const arrived = (emulator: Emulator, n = 1) => vi.waitFor(() => expect(emulator.requests.length).toBeGreaterThanOrEqual(n));

describe('in process', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('is ready while serving, even when the upstream is down', async () => {
    stack = await startStack({ endpoint: 'http://127.0.0.1:1', timeoutMs: 500 });
    expect((await post(stack.origin, JOBS).then((r) => r.json())).errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    const ready = await get(stack.origin, '/ready');
    expect(ready).toMatchObject({ status: 200, body: '{"status":"ready"}' });
  });

  it('reports not ready while draining, closes connections after their answer, and keeps serving', async () => {
    stack = await startStack();
    stack.gateway.drain();
    expect(await get(stack.origin, '/ready')).toMatchObject({ status: 503, connection: 'close', body: '{"status":"draining"}' });
    expect(await get(stack.origin, '/health')).toMatchObject({ status: 200, connection: 'close' });
    const res = await post(stack.origin, JOBS);
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('lets a request in flight finish, then stops accepting', async () => {
    stack = await startStack({ emulator: {} });
    stack.emulator.setFault({ delayMs: 800, times: 1 });
    const slow = post(stack.origin, JOBS);
    await arrived(stack.emulator);
    const cut = stack.gateway.shutdown(10_000);
    await expect(get(stack.origin, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const res = await slow;
    expect(res.status).toBe(200);
    expect((await res.json()).data.trainingJobs.jobs).toHaveLength(3);
    // Its kept-alive connection is closed once idle, not left for the keep-alive timeout (5 s).
    const answered = Date.now();
    expect(await cut).toBe(0);
    expect(Date.now() - answered).toBeLessThan(3000);
  });

  it('cuts what is still in flight when the grace period is over', async () => {
    stack = await startStack();
    stack.emulator.setFault({ delayMs: 5000, times: 1 });
    const slow = post(stack.origin, JOBS).then(() => 'answered', () => 'cut');
    await arrived(stack.emulator);
    const start = Date.now();
    expect(await stack.gateway.shutdown(200)).toBe(1);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(await slow).toBe('cut');
  });
});

describe('the process', () => {
  let emulator: Emulator;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    emulator = await createEmulator().listen(0, '127.0.0.1');
  });
  afterEach(() => {
    emulator.setFault(null);
    emulator.clearRequests();
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  afterAll(() => emulator.close());

  /** Starts main.ts against the emulator and resolves once it listens. */
  async function startGateway(env: Record<string, string> = {}) {
    const gateway = await startGatewayProcess(emulator.url, env);
    children.push(gateway.child);
    return gateway;
  }

  it.each(['SIGTERM', 'SIGINT'] as const)('on %s, finishes the request in flight, refuses new connections and exits 0', async (signal) => {
    const gw = await startGateway();
    emulator.setFault({ delayMs: 1500, times: 1 });
    const slow = post(gw.origin, JOBS);
    await arrived(emulator);
    gw.child.kill(signal);
    await vi.waitFor(() => expect(gw.logs.some((l) => l['msg'] === 'shutting down: draining')).toBe(true));
    await expect(get(gw.origin, '/ready')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const res = await slow;
    expect(res.status).toBe(200);
    expect((await res.json()).data.trainingJobs.jobs).toHaveLength(3);
    expect(await gw.exited).toEqual([0, null]);
    expect(gw.logs.find((l) => l['msg'] === 'shutting down: draining')).toMatchObject({ signal, graceMs: 15_000 });
    expect(gw.logs.find((l) => l['msg'] === 'request' && l['operation'] === 'Jobs')).toMatchObject({ status: 200 });
    expect(gw.logs.at(-1), JSON.stringify(gw.logs)).toMatchObject({ msg: 'stopped', cut: 0 });
    expect(gw.stderr()).toBe('');
  });

  it('on SIGTERM, completes open streams on both transports without waiting for the grace period, and exits 0', async () => {
    const gw = await startGateway({ LIVE_POLL_MS: '1000' });
    const overSse = sse(gw.origin, LIVE, { headers: AUTH });
    const overWs = rawWs(gw.origin, LIVE, AUTH);
    await overSse.received(1);
    // The first upgrade may wait for yoga and the WebSocket server to load (tsx compiles them).
    await vi.waitFor(() => expect(overWs.nexts()).toHaveLength(1), { timeout: 10_000 });
    const start = Date.now();
    gw.child.kill('SIGTERM');
    await overSse.done;
    expect(overSse.completed).toBe(true);
    // 1001, going away: the client reconnects, and the load balancer sends it to another replica.
    expect(await overWs.closed).toBe(1001);
    expect(await gw.exited).toEqual([0, null]);
    expect(Date.now() - start).toBeLessThan(3000);
    expect(gw.logs.at(-1)).toMatchObject({ msg: 'stopped', cut: 0 });
    expect(gw.stderr()).toBe('');
  });

  it('says not ready during SHUTDOWN_DELAY_MS while still serving', async () => {
    const gw = await startGateway({ SHUTDOWN_DELAY_MS: '1500' });
    gw.child.kill('SIGTERM');
    await vi.waitFor(() => expect(gw.logs.some((l) => l['msg'] === 'shutting down: draining')).toBe(true));
    expect(await get(gw.origin, '/ready')).toMatchObject({ status: 503, connection: 'close' });
    expect((await post(gw.origin, JOBS)).status).toBe(200);
    expect(await gw.exited).toEqual([0, null]);
  });

  it('cuts a request that outlives SHUTDOWN_GRACE_MS, says so, and exits 0', async () => {
    const gw = await startGateway({ SHUTDOWN_GRACE_MS: '300' });
    emulator.setFault({ delayMs: 8000, times: 1 });
    const slow = post(gw.origin, JOBS).then(() => 'answered', () => 'cut');
    await arrived(emulator);
    const start = Date.now();
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual([0, null]);
    expect(Date.now() - start).toBeLessThan(3000);
    expect(await slow).toBe('cut');
    expect(gw.logs.find((l) => l['msg']?.startsWith('grace period over'))).toMatchObject({ level: 40, cut: 1 });
  });

  it('stops at once on a second signal, exiting 1', async () => {
    const gw = await startGateway();
    emulator.setFault({ delayMs: 8000, times: 1 });
    void post(gw.origin, JOBS).catch(() => {});
    await arrived(emulator);
    gw.child.kill('SIGTERM');
    await vi.waitFor(() => expect(gw.logs.some((l) => l['msg'] === 'shutting down: draining')).toBe(true));
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual([1, null]);
    expect(gw.logs.at(-1)).toMatchObject({ msg: 'second signal: stopping at once' });
  });

  it('honours LOG_LEVEL: at warn, no request lines, but a failure still logs with its request id', async () => {
    const gw = await startGateway({ LOG_LEVEL: 'warn' });
    expect((await post(gw.origin, JOBS)).status).toBe(200);
    emulator.setFault({ status: 500, body: 'oops', times: 1 });
    const failed = await post(gw.origin, JOBS);
    const requestId = failed.headers.get('x-request-id');
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual([0, null]);
    expect(gw.logs.map((l) => l['msg'])).toEqual(['upstream call failed']);
    expect(gw.logs[0]).toMatchObject({ level: 40, requestId, code: 'UPSTREAM_ERROR' });
  });

  /** Runs main.ts to its exit, for the cases that never listen. */
  async function run(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  }

  it('lists every variable with its default on --help, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help'], {});
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const v of VARIABLES) expect(stdout).toContain(v.name);
    expect(stdout).toMatch(/SHUTDOWN_GRACE_MS\s+.*\[15000\]/);
  });

  it('reports every configuration problem at once, by name and without secrets, and exits 2', async () => {
    const { code, stdout, stderr } = await run([], {
      PORT: 'eighty',
      SHUTDOWN_GRACE_MS: '-1',
      MODELARTS_AUTH: 'aksk',
      MODELARTS_AK: 'AKSECRETVALUE',
      MODELARTS_ENDPOINT: 'ftp://x',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    for (const name of ['PORT', 'SHUTDOWN_GRACE_MS', 'MODELARTS_SK', 'MODELARTS_ENDPOINT', 'MODELARTS_PROJECT_ID']) expect(stderr).toContain(name);
    expect(stderr).not.toContain('AKSECRETVALUE');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
