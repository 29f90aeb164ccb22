/**
 * The gateway under fuzz: in this process, as `npm test` runs it, or the built one as the
 * container runs it, where a crash is the process exiting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { freePort, ROOT } from '../support/process.ts';
import { startStack } from '../support/stack.ts';

export interface Target {
  origin: string;
  emulator: Emulator;
  /** For the summary and the record. */
  description: string;
  /** The gateway's log lines at warn and above since the last call (then forgotten). */
  takeLogs(): Array<Record<string, unknown>>;
  /** Why the gateway's process is gone, once it is. */
  gone(): string | undefined;
  /** What the gateway's process wrote to stderr (pino logs to stdout: anything here is Node's). */
  stderr(): string;
  close(): Promise<void>;
}

export async function stackTarget(api: 'v1' | 'v2' = 'v1'): Promise<Target> {
  const stack = await startStack({ api });
  return {
    origin: stack.origin,
    emulator: stack.emulator,
    description: `the gateway in the test process (test/support/stack.ts), defaults, with the emulator, on ${api}`,
    // Logged at debug: emptied as it is read, or a long run would hold every line.
    takeLogs: () => stack.logs.splice(0).filter((line) => Number(line['level']) >= 40),
    gone: () => undefined,
    stderr: () => '',
    close: () => stack.close(),
  };
}

export async function processTarget(api: 'v1' | 'v2' = 'v1'): Promise<Target> {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`FUZZ_TARGET=process runs the build, and ${main} is missing: npm run build (npm run fuzz builds first)`);
  const emulator = await createEmulator().listen(0, '127.0.0.1');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      MODELARTS_ENDPOINT: emulator.url,
      MODELARTS_PROJECT_ID: 'test-project',
      MODELARTS_API: api,
      // Every request at info would be ~100 MB of lines to parse here; warn keeps what matters.
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ level: 50, msg: `stdout line that is not a JSON log line: ${line.slice(0, 300)}` });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 100_000) stderr += chunk;
  });
  let exit: string | undefined;
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) exit = `the gateway process exited (${signal ?? `code ${code}`})`;
  });
  // 'close', not 'exit': the output is read to its end by then.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exit !== undefined) throw new Error(`${exit} before answering: ${stderr.slice(-2000)}`);
    try {
      if ((await fetch(`${origin}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway process did not answer /health within 30 s: ${stderr.slice(-2000)}`);
    }
    await sleep(50);
  }
  return {
    origin,
    emulator,
    description: `the built gateway (\`node dist/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn, defaults otherwise) against the emulator in the test process, on ${api}`,
    takeLogs: () => logs.splice(0),
    gone: () => exit,
    stderr: () => stderr,
    async close() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await closed;
        clearTimeout(kill);
      }
      await emulator.close();
    },
  };
}
