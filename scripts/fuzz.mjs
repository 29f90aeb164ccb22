#!/usr/bin/env node
/**
 * npm run fuzz -- --runs 20000 [--seed N]: the fuzz suite (test/fuzz/http-surface.test.ts) at any
 * size and seed, printed first so that any run can be repeated. It runs only that file through
 * vitest, with the FUZZ_* variables the suite reads, and exits non-zero when the suite fails.
 *
 * Plain JavaScript run by node: it only parses arguments and starts processes, and tsconfig.json
 * does not cover scripts/, so TypeScript here would go unchecked anyway. The summary and the
 * docs/benchmarks.md section are written by the suite, which is type-checked and has the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_RUNS = 1_000_000;

const USAGE = `Usage: npm run fuzz -- [--runs N] [--seed N] [--target process|stack] [--api v1|v2] [--no-record | --out FILE] [--verbose]

Runs the fuzz suite (test/fuzz/http-surface.test.ts) with N requests (default 20000) from a seed
(default: a random 32-bit one, printed first), and records a passing run as the
"## Fuzz (npm run fuzz)" section of docs/benchmarks.md. Exits non-zero on any failure: a 5xx, an
undocumented status, a leak, a hang or a crash. npm test runs the same suite with 2423 requests and
the fixed seed 0x5eed2024.

  --runs N        requests to send, 1 to ${MAX_RUNS} (default 20000)
  --seed N        decimal or 0x hex, 0 to 0xffffffff (default: random)
  --target T      process: the built gateway (npm run build first, then node dist/src/main.js with
                  NODE_ENV=production), where a crash is the process exiting (default);
                  stack: the gateway inside the vitest worker, as npm test runs it
  --api A         the upstream the gateway calls, v1 (default) or v2 (MODELARTS_API)
  --no-record     write nothing to docs/benchmarks.md (trial runs)
  --out FILE      record in FILE instead of docs/benchmarks.md
  --verbose       also print the 25 slowest requests and the statuses of every sub-case
  -h, --help      this text
`;

function fail(message) {
  process.stderr.write(`npm run fuzz: ${message}\nTry npm run fuzz -- --help\n`);
  process.exit(2);
}

function parseSeed(text) {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(value) && value <= 0xffff_ffff ? value : undefined;
}

let args;
try {
  args = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      target: { type: 'string' },
      api: { type: 'string' },
      'no-record': { type: 'boolean' },
      out: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const runsText = args.runs ?? '20000';
const runs = /^\d{1,7}$/.test(runsText) ? Number(runsText) : NaN;
if (!(runs >= 1 && runs <= MAX_RUNS)) fail(`--runs must be a whole number from 1 to ${MAX_RUNS} (got ${JSON.stringify(runsText)})`);
const seed = args.seed === undefined ? randomBytes(4).readUInt32BE(0) : parseSeed(args.seed);
if (seed === undefined) fail(`--seed must be a 32-bit number, decimal or 0x hex (got ${JSON.stringify(args.seed)})`);
const target = args.target ?? 'process';
if (target !== 'process' && target !== 'stack') fail(`--target must be process or stack (got ${JSON.stringify(target)})`);
const api = args.api ?? 'v1';
if (api !== 'v1' && api !== 'v2') fail(`--api must be v1 or v2 (got ${JSON.stringify(api)})`);
if (args['no-record'] && args.out !== undefined) fail('--no-record and --out contradict each other');
const out = args['no-record'] ? '-' : resolve(args.out ?? join(ROOT, 'docs', 'benchmarks.md'));

const seedHex = `0x${seed.toString(16).padStart(8, '0')}`;
const rerun = `npm run fuzz -- --runs ${runs} --seed ${seedHex} --target ${target} --api ${api}`;
// First, before anything can hang or crash: the one thing needed to repeat this run.
process.stdout.write(`seed ${seedHex}; rerun with --seed ${seedHex} (${rerun})\n`);

if (target === 'process') {
  // The suite fuzzes dist/: build it from the sources as they are now.
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write(`npm run fuzz: the build failed (seed ${seedHex})\n`);
    process.exit(build.status ?? 1);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
const reportPath = join(dir, 'report.json');
const typed = process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
const vitest = spawn(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', 'test/fuzz/http-surface.test.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_RUNS: String(runs),
    FUZZ_SEED: seedHex,
    FUZZ_TARGET: target,
    FUZZ_API: api,
    FUZZ_OUT: out,
    FUZZ_REPORT: reportPath,
    FUZZ_COMMAND: ['npm run fuzz', ...(typed.length > 0 ? ['--', ...typed] : [])].join(' '),
    ...(args.verbose ? { FUZZ_VERBOSE: '1' } : {}),
  },
});
// Ctrl-C reaches vitest through the terminal's process group; this process waits for it.
process.on('SIGINT', () => {});
const [code, signal] = await new Promise((done) => vitest.on('close', (c, s) => done([c, s])));

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch {
  // The suite never got to its summary (it failed to load, or its gateway to start).
}
rmSync(dir, { recursive: true, force: true });
const passed = code === 0 && report?.passed === true;
process.stdout.write(`\n${report ? report.text : `fuzz: no summary (vitest ${signal ?? `exit code ${code}`})`}\n`);
process.stdout.write(
  passed
    ? `fuzz: passed; ${out === '-' ? 'not recorded (--no-record)' : `recorded in ${out}`}\n`
    : `fuzz: FAILED (vitest ${signal ?? `exit code ${code}`}); not recorded\n`,
);
process.stdout.write(`seed ${seedHex}; rerun with --seed ${seedHex} (${rerun})\n`);
process.exit(passed ? 0 : code || 1);
