/**
 * The gateway process that npm run bench:live, bench:fleet and soak measure: the build, on its own
 * core, configured by each runner, and read from outside (/proc, /metrics).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './paths.ts';
import { freePort, startNode, stop, type Child } from './proc.ts';

export interface Gateway {
  child: Child;
  /** http://127.0.0.1:port */
  url: string;
  /** Throws when the process is gone. */
  alive(): void;
  /** The messages the gateway logged (warnings and worse, at LOG_LEVEL=warn), with their counts. */
  logged: Map<string, number>;
}

/**
 * The built gateway (dist/src/main.js) on `core`, with `env` on top of a free loopback port,
 * NODE_ENV=production and LOG_LEVEL=warn; resolves once /ready answers.
 */
export async function launchGateway(core: number, env: Record<string, string>, profileDir?: string, name = 'gateway'): Promise<Gateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const main = join(ROOT, 'dist', 'src', 'main.js');
  // startNode runs `node script ...args`, so node's own flags go in front of the script.
  const argv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, main] : [main];
  const child = startNode(name, core, argv[0] as string, argv.slice(1), {
    NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1',
  });
  const logged = new Map<string, number>();
  child.proc.stdout?.on('data', (chunk: Buffer) => {
    for (const [, msg] of chunk.toString('utf8').matchAll(/"msg":"((?:[^"\\]|\\.)*)"/g)) logged.set(msg as string, (logged.get(msg as string) ?? 0) + 1);
  });
  const gone = () => child.proc.exitCode !== null || child.proc.signalCode !== null;
  for (let i = 0; i < 150 && !gone(); i++) {
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) {
      return {
        child,
        url,
        logged,
        alive() {
          if (gone()) throw new Error(`${name} exited (${child.proc.exitCode ?? child.proc.signalCode})\n${child.tail.join('\n')}`);
        },
      };
    }
    await sleep(100);
  }
  await stop(child);
  throw new Error(`${name} did not get ready\n${child.tail.join('\n')}`);
}

/** VmRSS of a process, in MiB (proc.ts has the peak). */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * The gateway's /metrics: a metric's value, summed over its label sets, or over those that carry
 * every label given (`{ store: 'redis', result: 'hit' }`).
 */
export async function metrics(url: string): Promise<(name: string, labels?: Record<string, string>) => number> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
  return (name, labels = {}) => lines.filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) &&
    Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
