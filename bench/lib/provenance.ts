/**
 * Where a run's figures come from, for every section of docs/benchmarks.md (and the fuzz suite's):
 * the machine they were measured on and the gateway revision measured.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { ROOT } from './paths.ts';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function machine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(read('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
  const os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(read('/etc/os-release'))?.[1] ?? 'Linux';
  return `${model}, ${cpus().length} cores; Node ${process.version}; ${os}, kernel ${release()}`;
}

/** The commit measured, and whether src/ had changes not yet committed (read-only git). */
export function revision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD');
  if (!head) return 'unknown (not a git checkout)';
  return git('status', '--porcelain', '--', 'src') ? `${head} with uncommitted changes in src/` : head;
}
