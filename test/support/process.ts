/**
 * The gateway as the real process a container or a fleet runs (main.ts under tsx), on a port
 * chosen here, with its JSON log lines parsed as they come.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, vi } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface GatewayProcess {
  child: ChildProcess;
  origin: string;
  /** Every JSON log line so far. */
  logs: Array<Record<string, any>>;
  /** Resolves with [code, signal] once the process has exited and its output is read. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  stderr(): string;
}

/** Starts main.ts against `endpoint` and resolves once /health answers; `nodeArgs` go before it (say another --import). */
export async function startGatewayProcess(endpoint: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<GatewayProcess> {
  // A port chosen here rather than read from the log: LOG_LEVEL=warn hides the listening line.
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOST: '127.0.0.1',
      PORT: String(port),
      MODELARTS_ENDPOINT: endpoint,
      MODELARTS_PROJECT_ID: 'test-project',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, any>> = [];
  let stderr = '';
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) logs.push(JSON.parse(line));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': it waits for the output to be read to its end.
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const origin = `http://127.0.0.1:${port}`;
  try {
    await vi.waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`exited: ${stderr}`);
      expect((await fetch(`${origin}/health`)).status).toBe(200);
    }, { timeout: 20_000, interval: 50 });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, logs, exited, stderr: () => stderr, origin };
}
