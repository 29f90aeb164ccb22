/**
 * Child processes for the bench: started pinned to a core with taskset (which execs, so the pid
 * we hold is the server's own), their CPU time and peak RSS from /proc, and a kill-all that
 * leaves no orphans whatever way the runner ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const HAS_TASKSET = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

const live = new Set<ChildProcess>();

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines the child printed, shown when something goes wrong. */
  tail: string[];
}

/** The child's environment: the runner's, without NODE_OPTIONS (a loader there would skew every number). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs `node script` on `core` (no pinning when taskset is missing); `stdin` pipes the child's stdin to `proc.stdin`. */
export function startNode(name: string, core: number, script: string, args: string[], env: Record<string, string> = {}, stdin = false): Child {
  return startProcess(name, core, process.execPath, [script, ...args], env, stdin);
}

/** Runs any executable on `core` (redis-server, say), killed with the rest however the runner ends. */
export function startProcess(name: string, core: number, file: string, argv: string[], env: Record<string, string> = {}, stdin = false): Child {
  const stdio = [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as const;
  const proc = HAS_TASKSET
    ? spawn('taskset', ['-c', String(core), file, ...argv], { env: childEnv(env), stdio: [...stdio] })
    : spawn(file, argv, { env: childEnv(env), stdio: [...stdio] });
  if (proc.pid === undefined) throw new Error(`${name}: could not start`);
  live.add(proc);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('exit', () => live.delete(proc));
  return { name, proc, pid: proc.pid, tail };
}

/** The first stdout line of a child, as JSON (the stub prints its URL so). */
export function firstLine(child: Child, timeoutMs = 15_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${child.name}: no output within ${timeoutMs} ms\n${child.tail.join('\n')}`)), timeoutMs);
    child.proc.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(text.slice(0, nl)));
      }
    });
    child.proc.on('exit', (code) => reject(new Error(`${child.name} exited (${code})\n${child.tail.join('\n')}`)));
  });
}

/** Runs `node script args` on `core` to completion; resolves its last stdout line as JSON. */
export async function runNode<T>(name: string, core: number, script: string, args: string[]): Promise<T> {
  const child = startNode(name, core, script, args);
  let out = '';
  child.proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.proc.on('exit', resolve));
  const last = out.trim().split('\n').pop();
  if (code !== 0 || !last) throw new Error(`${name} failed (exit ${code})\n${child.tail.join('\n')}`);
  return JSON.parse(last) as T;
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stop(child: Child, graceMs = 3000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Synchronous last resort for exit paths: every child still running gets SIGKILL. */
export function killAll(): void {
  for (const proc of live) proc.kill('SIGKILL');
  live.clear();
}

/** Pins this process and all its threads to `core`, so the runner stays off the server's core. */
export function pinSelf(core: number): void {
  if (HAS_TASKSET) spawnSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** utime + stime of a process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** VmHWM (peak resident set) of a process, in MiB. */
export function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Busy and total jiffies of one core, from /proc/stat. Of the first eight fields (guest time is
 * already inside user), idle, iowait and steal (the hypervisor's, on a VM) are not busy.
 */
export function coreJiffies(core: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  const v = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0) - (v[7] ?? 0), total };
}

/** Waits up to a minute for every core to be under 10% busy; resolves the last busiest share seen. */
export async function waitForQuiet(cores: number[], log: (line: string) => void): Promise<number> {
  const sample = async () => {
    const a = cores.map(coreJiffies);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return Math.max(...cores.map((core, i) => {
      const b = coreJiffies(core);
      const x = a[i] as typeof b;
      return (b.busy - x.busy) / Math.max(1, b.total - x.total);
    }));
  };
  let busy = await sample();
  for (let i = 0; busy > 0.1 && i < 60; i++) {
    if (i === 0) log(`waiting for the machine to be quiet (a core is ${Math.round(busy * 100)}% busy)`);
    busy = await sample();
  }
  return busy;
}

/** A port free right now on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a bench's main, killing every child however the runner ends (signal, error or exit). */
export function runMain(name: string, main: () => Promise<void>): void {
  process.on('SIGINT', () => {
    killAll();
    process.exit(130);
  });
  process.on('SIGTERM', () => {
    killAll();
    process.exit(143);
  });
  process.on('exit', killAll);
  main().catch((err: unknown) => {
    process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    killAll();
    process.exit(1);
  });
}
