/**
 * The summary of a run: printed, written as JSON for npm run fuzz, and recorded in
 * docs/benchmarks.md, so that a run's figures read the same wherever they are looked at.
 */
import { BLOCK_SIZE, DEFAULT_SEED, hex, type TargetKind } from './plan.ts';
import { CONCURRENCY, REQUEST_DEADLINE_MS, REQUEST_TIMEOUT_MS, STREAM_READ_MS } from './sender.ts';

export interface Slowest {
  ms: number;
  kind: string;
  status: string;
  /** Block and index in the shuffled block: with the seed, enough to find the request again. */
  at: string;
  request: string;
}

export interface FuzzSummary {
  seed: string;
  runs: number;
  sent: number;
  blocks: number;
  checkpoints: number;
  target: TargetKind;
  targetDescription: string;
  durationMs: number;
  /** Of durationMs, the time spent generating requests (a block at a time), not sending them. */
  buildMs: number;
  /** Status counts per family, and over all. */
  families: Record<string, Record<string, number>>;
  statuses: Record<string, number>;
  fiveXX: number;
  crashes: string[];
  failedCheckpoints: number;
  /** Why the run stopped before its last request, if it did. */
  halted?: string;
  slowest?: Slowest;
  upstreamCalls: number;
  internalErrorBodies: number;
  /** Answers that were streams (subscriptions), hung up on after STREAM_READ_MS. */
  streamsCut: number;
  /** `level msg` of the gateway's log lines at warn and above, with counts. */
  gatewayLogs: Record<string, number>;
  /** A few of its error lines, each with the request it answered (found by X-Request-Id). */
  gatewayErrors: string[];
  stderr: string;
  failures: string[];
  passed: boolean;
  rerun: string;
  text: string;
}

export const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

function statusOrder(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
  return Number.isNaN(x) ? a.localeCompare(b) : x - y;
}

const counts = (statuses: Record<string, number>) =>
  Object.entries(statuses).sort(([a], [b]) => statusOrder(a, b)).map(([s, n]) => `${s}=${n}`).join(' ');

export function summaryText(s: Omit<FuzzSummary, 'text'>): string {
  const width = Math.max(...Object.keys(s.families).map((f) => f.length), 3);
  const logs = Object.entries(s.gatewayLogs).map(([line, n]) => `${line} ×${n}`).join(', ') || 'none';
  return [
    `fuzz: seed ${s.seed}, ${s.sent} of ${s.runs} requests sent in ${s.blocks} block(s), ${(s.durationMs / 1000).toFixed(1)} s ` +
      `(${(s.buildMs / 1000).toFixed(1)} s of it generating them), ${CONCURRENCY} in flight; ` +
      `target: ${s.targetDescription}`,
    ...Object.entries(s.families).map(([family, st]) => `  ${family.padEnd(width)} ${String(Object.values(st).reduce((a, b) => a + b, 0)).padStart(6)}: ${counts(st)}`),
    `  ${'all'.padEnd(width)} ${String(s.sent).padStart(6)}: ${counts(s.statuses)}`,
    `  5xx ${s.fiveXX}; crashes ${s.crashes.length}${s.crashes.length ? ` (${s.crashes.join('; ')})` : ''}; failed checkpoints ${s.failedCheckpoints} of ${s.checkpoints}; ` +
      `failures ${s.failures.length}; INTERNAL_SERVER_ERROR bodies ${s.internalErrorBodies}; streams hung up on ${s.streamsCut}; upstream calls ${s.upstreamCalls}` +
      `${s.halted ? `; STOPPED EARLY: ${s.halted}` : ''}`,
    `  gateway log lines at warn and above: ${logs}${s.stderr ? `; its stderr: ${JSON.stringify(s.stderr.slice(0, 300))}` : ''}`,
    ...s.gatewayErrors.map((e) => `    ${e}`),
    s.slowest ? `  slowest: ${s.slowest.ms} ms, ${s.slowest.kind} -> ${s.slowest.status} (block ${s.slowest.at.replace(':', ', request ')})` : '  slowest: none sent',
    `  ${s.passed ? 'passed' : 'FAILED'}; rerun: ${s.rerun}`,
  ].join('\n');
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function section(s: FuzzSummary, recorded: { revision: string; machine: string; command: string }): string {
  const columns = Object.keys(s.statuses).sort(statusOrder);
  const row = (name: string, st: Record<string, number>, total: number) =>
    `| ${name} | ${total} | ${columns.map((c) => st[c] ?? 0).join(' | ')} |`;
  const logs = Object.entries(s.gatewayLogs).map(([line, n]) => `\`${mdCell(line)}\` ×${n}`).join(', ') || 'none';
  const slow = s.slowest!;
  return `## Fuzz (npm run fuzz)

The fuzz suite (test/fuzz/http-surface.test.ts) at scale: random valid, mutated and absurd (huge, deep, repeated) GraphQL
documents, malformed HTTP (framing, methods, content types, bodies) and odd headers and credentials, on real
sockets. Every answer must carry a documented status, be well-formed where it is JSON, and hold no stack trace,
upstream address or credential; a normal query must succeed at every checkpoint; any 5xx, hang or crash fails
the run. Produced by \`npm run fuzz -- --runs N [--seed N]\` (scripts/fuzz.mjs; not part of \`npm test\`, which
runs the same suite in process at ${BLOCK_SIZE} requests with the seed ${hex(DEFAULT_SEED)}); it prints the seed
first and the summary last, and records a passing run here (\`--no-record\` records none).

- Command: \`${recorded.command}\`; rerun exactly: \`${s.rerun}\`
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; gateway revision ${recorded.revision}
- Machine: ${recorded.machine}
- Target: ${s.targetDescription}; ${CONCURRENCY} requests in flight; one silent for ${REQUEST_TIMEOUT_MS / 1000} s, or unfinished after ${REQUEST_DEADLINE_MS / 1000} s, is a hang
- Seed ${s.seed}; ${s.sent} requests in ${s.blocks} blocks (each built and shuffled like \`npm test\`'s run, from a seed drawn from this one), ${s.checkpoints} checkpoints
- Duration: ${(s.durationMs / 1000).toFixed(1)} s, of which ${(s.buildMs / 1000).toFixed(1)} s generating requests (${Math.round(s.sent / ((s.durationMs - s.buildMs) / 1000))} requests/s while sending)
- 5xx: ${s.fiveXX}; crashes: ${s.crashes.length}; failed checkpoints: ${s.failedCheckpoints}; other failures: ${s.failures.length}
- Slowest request: ${slow.ms} ms, ${mdCell(slow.kind)} → ${slow.status} (block ${slow.at.replace(':', ', request ')}); not counting the ${s.streamsCut} answers that were subscription streams, which the fuzzer reads for ${STREAM_READ_MS / 1000} s and then hangs up on
- Also: ${s.internalErrorBodies} answers with INTERNAL_SERVER_ERROR; gateway log lines at warn and above: ${logs}; gateway stderr: ${s.stderr ? `\`${mdCell(s.stderr.slice(0, 200))}\`` : 'empty'}; ${s.upstreamCalls} upstream calls
${s.gatewayErrors.map((e) => `  - an error line: \`${mdCell(e)}\`\n`).join('')}
Statuses by family ("no answer": raw requests the client cuts short, where closing without an answer is allowed):

| family | requests | ${columns.join(' | ')} |
| --- | ---: | ${columns.map(() => '---:').join(' | ')} |
${Object.entries(s.families).map(([family, st]) => row(family, st, Object.values(st).reduce((a, b) => a + b, 0))).join('\n')}
| all | ${s.sent} | ${columns.map((c) => `**${s.statuses[c] ?? 0}**`).join(' | ')} |
`;
}
