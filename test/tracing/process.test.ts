/**
 * Tracing in the real process (main.ts): nothing of the SDK loaded while it is off, and the
 * spans of the last requests exported on SIGTERM, within the shutdown grace period, even when
 * the batch would have waited much longer.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/process.ts';

const QUERY = JSON.stringify({ query: '{ trainingJobs(perPage: 1) { totalCount } }' });
const ask = (gateway: GatewayProcess) =>
  fetch(`${gateway.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': 't' }, body: QUERY });

let emulator: Emulator;
let receiver: OtlpReceiver;
let dir: string;
beforeAll(async () => {
  emulator = await createEmulator().listen(0, '127.0.0.1');
  receiver = await startOtlpReceiver();
  dir = await mkdtemp(join(tmpdir(), 'tjg-modules-'));
});
afterAll(async () => {
  await Promise.all([emulator.close(), receiver.close(), rm(dir, { recursive: true, force: true })]);
});

describe('with tracing off', () => {
  /** The modules a gateway process resolved while starting and answering a query and a subscription. */
  async function modulesLoaded(name: string, env: Record<string, string>): Promise<string[]> {
    const file = join(dir, `${name}.log`);
    const gateway = await startGatewayProcess(emulator.url, { ...env, MODULE_LOG: file }, ['--import', './test/support/module-log.mjs']);
    try {
      expect((await ask(gateway)).status).toBe(200);
      // What loads a second after listening (yoga, graphql-jit, the WebSocket server) too.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return (await readFile(file, 'utf8')).split('\n');
    } finally {
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    }
  }

  it('loads no @opentelemetry module at all, where it loads the SDK with an endpoint', async () => {
    const off = await modulesLoaded('off', {});
    expect(off.some((url) => url.includes('/src/server/gateway.ts'))).toBe(true);
    expect(off.filter((url) => url.includes('@opentelemetry'))).toEqual([]);
    // The same check sees the SDK when tracing is on: it can fail.
    const on = await modulesLoaded('on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(on.some((url) => url.includes('@opentelemetry/sdk-trace'))).toBe(true);
  });
});

describe('on SIGTERM', () => {
  it('exports the queued spans before exiting, long before their scheduled export', async () => {
    receiver.spans.length = 0;
    const gateway = await startGatewayProcess(emulator.url, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      SHUTDOWN_GRACE_MS: '5000',
    });
    let code: number | null;
    try {
      const res = await ask(gateway);
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.spans).toEqual([]);
    } finally {
      gateway.child.kill('SIGTERM');
      [code] = await gateway.exited;
    }
    expect(code).toBe(0);
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(['GET', 'POST /graphql', 'query']);
    expect(receiver.spans[0]!.resource['service.name']).toBe('training-jobs-gateway');
  });

  it('gives up on a collector that hangs when the grace period is over', async () => {
    receiver.mode = 'hang';
    try {
      const gateway = await startGatewayProcess(emulator.url, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000', SHUTDOWN_GRACE_MS: '1500' });
      const answered = await ask(gateway).catch(() => undefined);
      const start = Date.now();
      gateway.child.kill('SIGTERM');
      const [code] = await gateway.exited;
      expect(answered?.status).toBe(200);
      expect(code).toBe(0);
      // The grace period, and the second the upstream pool may take to close, not the export's 10 s.
      expect(Date.now() - start).toBeLessThan(5000);
    } finally {
      receiver.mode = 'ok';
    }
  });
});
