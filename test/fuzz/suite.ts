/**
 * The fuzz run itself, for one set of settings (plan.ts fuzzSettings): http-surface.test.ts runs
 * it as npm test and npm run fuzz ask, http-surface-v2.test.ts on ModelArts v2 at a reduced size.
 */
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTH } from '../support/stack.ts';
import { checkOutcome, describeRequest } from './checks.ts';
import { SECRET } from './headers.ts';
import { BLOCK_PLAN, BLOCK_SIZE, blocks, buildRequests, hex, type FuzzSettings } from './plan.ts';
import type { FuzzRequest } from './requests.ts';
import { CONCURRENCY, REQUEST_TIMEOUT_MS, sendHttp, sendRaw, type Outcome } from './sender.ts';
import { LEVELS, section, summaryText, type FuzzSummary, type Slowest } from './summary.ts';
import { processTarget, stackTarget, type Target } from './target.ts';

/** Health checks per block: a gateway that stops answering is caught within an eighth of one. */
const CHECKPOINTS = 8;
/** The test's budget per block of requests; one block takes about 20 s on a quiet 2-core machine. */
const BLOCK_TIMEOUT_MS = 120_000;
/** Kept free at the end of the test's budget: a run out of time still prints and writes its summary. */
const SUMMARY_MARGIN_MS = Math.min(60_000, BLOCK_TIMEOUT_MS / 4);


/** The suite, registered with vitest for one run's settings. */
export function fuzzSuite(SETTINGS: FuzzSettings): void {
  const TEST_TIMEOUT_MS = BLOCK_TIMEOUT_MS * Math.ceil(SETTINGS.runs / BLOCK_SIZE);

  /**
   * Errors nobody caught in this process while requests are sent. With the stack target this is the
   * gateway's process, so each is a crash (main.ts would exit on an exception). Listened to only
   * then: vitest stops reporting these errors itself while any other listener is on (it takes that
   * listener for the test's own handling), and the errors outside that window are for it to report.
   */
  const uncaught: Array<{ what: string; stack: string }> = [];
  const onUncaught = (what: string) => (err: unknown) =>
    void uncaught.push({
      what: `${what}: ${(err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 300)}`,
      stack: (err instanceof Error ? (err.stack ?? '') : '').split('\n').slice(1, 12).map((l) => l.trim()).join('\n    '),
    });
  const onException = onUncaught('uncaught exception');
  const onRejection = onUncaught('unhandled rejection');

  let target: Target;
  /** Read before the run, for the record: a commit made during the run is not the one fuzzed. */
  let provenance: { revision: string; machine: string } | undefined;
  beforeAll(async () => {
    if (SETTINGS.out) {
      const { machine, revision } = await import('../../bench/lib/provenance.ts');
      provenance = { revision: revision(), machine: machine() };
    }
    target = SETTINGS.target === 'process' ? await processTarget(SETTINGS.api) : await stackTarget(SETTINGS.api);
  }, 60_000);
  afterAll(() => target?.close());

  async function checkpoint(): Promise<string[]> {
    const problems: string[] = [];
    try {
      const health = await fetch(`${target.origin}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (health.status !== 200) problems.push(`GET /health answers ${health.status}`);
      const res = await fetch(`${target.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH },
        body: JSON.stringify({ query: '{ trainingJobs(perPage: 2) { totalCount jobs { id name } } }' }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await res.json()) as { data?: { trainingJobs?: { jobs?: unknown[] } | null }; errors?: unknown };
      if (res.status !== 200 || body.errors !== undefined || body.data?.trainingJobs?.jobs?.length !== 2) {
        problems.push(`a normal query answers ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      }
    } catch (err) {
      problems.push(`the gateway does not answer a normal query: ${(err as Error).message}`);
    }
    return problems;
  }

  it(`answers thousands of random, mutated, oversized and malformed requests with documented statuses and clean bodies, on ${SETTINGS.api}`, async () => {
    const runBlocks = blocks(SETTINGS.runs, SETTINGS.seed);
    const url = new URL(target.origin);
    const emulatorPort = new URL(target.emulator.url).port;
    const leakRules: Array<[string, RegExp]> = [
      ['a stack trace line', / {4}at /],
      ['a .ts: file reference', /\.ts:/],
      ['the upstream address 127.0.0.1', /127\.0\.0\.1/],
      [`the emulator port ${emulatorPort}`, new RegExp(`(?<![0-9])${emulatorPort}(?![0-9])`)],
      ['a credential', new RegExp(`${SECRET}|test-token`)],
    ];
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const statuses: Record<string, number> = {};
    const families: Record<string, Record<string, number>> = Object.fromEntries(BLOCK_PLAN.map(([family]) => [family, {}]));
    const failures = new Map<string, { count: number; example: string }>();
    const crashes: string[] = [];
    const crash = (what: string, detail: string) => {
      crashes.push(what);
      failures.set(`crash: ${what}`, { count: 1, example: detail });
    };
    let failedCheckpoints = 0;
    let checkpoints = 0;
    let sent = 0;
    const timings: Array<{ ms: number; kind: string; status: string }> = [];
    let slowest: Slowest | undefined;
    const masked: string[] = [];
    const gatewayLogs: Record<string, number> = {};
    const gatewayErrors: string[] = [];
    let buildMs = 0;
    let streamsCut = 0;

    const record = (req: FuzzRequest, outcome: Outcome, at: string) => {
      const key = String(outcome.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      const family = (families[req.family] ??= {});
      family[key] = (family[key] ?? 0) + 1;
      for (const problem of checkOutcome(req, outcome, leakRules)) {
        const group = `${req.family} / ${req.kind}: ${problem.replace(/: .*$/s, '')}`;
        const seen = failures.get(group);
        if (seen) seen.count++;
        else {
          const excerpt = outcome.body.toString('utf8').slice(0, 300);
          failures.set(group, { count: 1, example: `${problem}\n    request (block ${at.replace(':', ', index ')}): ${describeRequest(req)}\n    answer: ${String(outcome.status)} ${outcome.contentType} ${JSON.stringify(excerpt)}` });
        }
      }
    };
    /** This block's answers by X-Request-Id (a few clients send the same id: then the last one). */
    let answered = new Map<string, { at: string; req: FuzzRequest; answer: string }>();
    const readLogs = () => {
      for (const line of target.takeLogs()) {
        const level = Number(line['level']);
        const msg = String(line['msg'] ?? '');
        const key = `${LEVELS[level] ?? level} ${msg}`;
        gatewayLogs[key] = (gatewayLogs[key] ?? 0) + 1;
        const error = JSON.stringify(line['error'] ?? null).slice(0, 300);
        if (level >= 50 && gatewayErrors.length < 10 && !gatewayErrors.some((e) => e.startsWith(`${key}: ${error}`))) {
          const by = answered.get(String(line['requestId']));
          const request = by ? `block ${by.at.replace(':', ', request ')}: ${describeRequest(by.req).slice(0, 400)} -> ${by.answer}` : 'no answer the fuzzer received carried its request id';
          gatewayErrors.push(`${key}: ${error} <- ${request}`);
        }
        // main.ts logs both and goes on (a rejection) or exits (an exception): either is a crash.
        if (msg === 'uncaught exception' || msg === 'unhandled rejection') {
          crash(`the gateway logged ${msg}: ${JSON.stringify(line['error'] ?? null).slice(0, 300)}`, JSON.stringify(line).slice(0, 2000));
        }
      }
    };

    const started = Date.now();
    const deadline = started + TEST_TIMEOUT_MS - SUMMARY_MARGIN_MS;
    /** Why the run stopped early: a hang or a gateway that no longer answers makes the rest noise. */
    let halt: string | undefined;
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    try {
      run: for (const [b, block] of runBlocks.entries()) {
        const building = Date.now();
        const requests = buildRequests(block.seed, block.size);
        buildMs += Date.now() - building;
        answered = new Map();
        const batch = Math.ceil(requests.length / CHECKPOINTS);
        for (let from = 0; from < requests.length; from += batch) {
          const end = Math.min(requests.length, from + batch);
          let next = from;
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (next < end && halt === undefined && target.gone() === undefined) {
                if (Date.now() > deadline) {
                  halt = `out of time: the test's ${TEST_TIMEOUT_MS / 1000} s were nearly up after ${sent} requests`;
                  break;
                }
                const index = next++;
                const req = requests[index] as FuzzRequest;
                const t0 = Date.now();
                const outcome = req.raw ? await sendRaw(url, req) : await sendHttp(url, agent, req);
                const ms = Date.now() - t0;
                const kind = `${req.family} / ${req.kind}`;
                timings.push({ ms, kind, status: String(outcome.status) });
                if (outcome.streamCut) streamsCut++;
                // A stream hung up on takes STREAM_READ_MS by this side's choice: not slow.
                else if (!slowest || ms > slowest.ms) slowest = { ms, kind, status: String(outcome.status), at: `${b}:${index}`, request: describeRequest(req).slice(0, 500) };
                if (outcome.body.includes('INTERNAL_SERVER_ERROR')) masked.push(`${kind}: ${describeRequest(req).slice(0, 300)} -> ${String(outcome.status)} ${outcome.body.toString('utf8').slice(0, 200)}`);
                record(req, outcome, `${b}:${index}`);
                if (outcome.status === 'timeout') halt ??= `a request hung (block ${b}, request ${index}: ${kind})`;
                if (outcome.requestId !== undefined) answered.set(outcome.requestId, { at: `${b}:${index}`, req, answer: `${String(outcome.status)} ${JSON.stringify(outcome.body.toString('utf8').slice(0, 200))}` });
                sent++;
              }
            }),
          );
          const gone = target.gone();
          if (gone !== undefined) {
            // Everything after this would be a connection error: stop, and say where it happened.
            readLogs();
            crash(`${gone} during requests ${from}-${end - 1} of block ${b}, after ${sent} answers`, `its stderr: ${JSON.stringify(target.stderr().slice(-2000))}`);
            break run;
          }
          checkpoints++;
          const down = await checkpoint();
          if (down.length > 0) {
            failedCheckpoints++;
            failures.set(`checkpoint after ${sent} requests (block ${b})`, { count: 1, example: down.join('; ') });
            halt ??= `the gateway failed the checkpoint after ${sent} requests`;
          }
          if (halt !== undefined) {
            failures.set(`stopped early: ${halt}`, { count: 1, example: `${sent} of ${SETTINGS.runs} requests sent; the checkpoint after them: ${down.length > 0 ? down.join('; ') : 'passed'}` });
            readLogs();
            break run;
          }
        }
        readLogs();
        if (runBlocks.length > 1) {
          // A long run says how it goes, so a stall shows while it happens.
          const fiveXX = Object.entries(statuses).filter(([st]) => /^5\d\d$/.test(st)).reduce((n, [, c]) => n + c, 0);
          console.log(`fuzz: block ${b + 1} of ${runBlocks.length} done: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; 5xx ${fiveXX}, crashes ${crashes.length}, failures ${failures.size}`);
        }
      }
    } finally {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      agent.destroy();
    }
    const durationMs = Date.now() - started;
    readLogs();
    for (const { what, stack } of uncaught.splice(0)) {
      if (SETTINGS.target === 'stack') {
        crash(`${what} (in the process running the gateway)`, stack || '(no stack)');
      } else {
        failures.set(`the test process itself: ${what}`, { count: 1, example: `not the gateway: the fuzzer or its emulator\n${stack}` });
      }
    }

    const fiveXX = Object.entries(statuses).filter(([s]) => /^5\d\d$/.test(s)).reduce((n, [, c]) => n + c, 0);
    const report = [...failures].map(([group, { count, example }]) => `${group} (×${count})\n  ${example}`);
    const seedText = hex(SETTINGS.seed);
    const partial: Omit<FuzzSummary, 'text'> = {
      seed: seedText,
      runs: SETTINGS.runs,
      sent,
      blocks: runBlocks.length,
      checkpoints,
      target: SETTINGS.target,
      targetDescription: target.description,
      durationMs,
      buildMs,
      families,
      statuses,
      fiveXX,
      crashes,
      failedCheckpoints,
      ...(halt !== undefined ? { halted: halt } : {}),
      ...(slowest ? { slowest } : {}),
      upstreamCalls: target.emulator.requests.length,
      internalErrorBodies: masked.length,
      streamsCut,
      gatewayLogs,
      gatewayErrors,
      stderr: target.stderr(),
      failures: report,
      passed: report.length === 0,
      rerun: `npm run fuzz -- --runs ${SETTINGS.runs} --seed ${seedText} --target ${SETTINGS.target} --api ${SETTINGS.api}`,
    };
    const summary: FuzzSummary = { ...partial, text: summaryText(partial) };
    console.log(summary.text);
    if (SETTINGS.verbose) {
      // Diagnostics: the slowest requests, and the statuses of every sub-case.
      console.log([...timings].sort((a, b) => b.ms - a.ms).slice(0, 25).map((t) => `${t.ms} ms ${t.kind} -> ${t.status}`).join('\n'));
      const byKind = new Map<string, Map<string, number>>();
      for (const { kind, status } of timings) {
        const counts = byKind.get(kind) ?? new Map<string, number>();
        counts.set(status, (counts.get(status) ?? 0) + 1);
        byKind.set(kind, counts);
      }
      console.log([...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => `${k}: ${[...c].map(([st, n]) => `${st}=${n}`).join(' ')}`).join('\n'));
      console.log(`masked INTERNAL_SERVER_ERROR: ${masked.length}\n${masked.slice(0, 20).join('\n')}`);
    }
    if (report.length > 0) console.log(`fuzz failures:\n${report.join('\n')}`);
    if (SETTINGS.report) writeFileSync(SETTINGS.report, `${JSON.stringify(summary, null, 2)}\n`);
    // Only a passing run is recorded: a failing one is a bug to report, with its seed, not a result.
    if (SETTINGS.out && summary.passed && provenance) {
      const { FUZZ_HEADING, writeSection } = await import('../../bench/lib/sections.ts');
      const command = SETTINGS.command ?? `FUZZ_RUNS=${SETTINGS.runs} FUZZ_SEED=${seedText} FUZZ_TARGET=${SETTINGS.target} FUZZ_API=${SETTINGS.api} npx vitest run test/fuzz/http-surface.test.ts`;
      writeSection(SETTINGS.out, FUZZ_HEADING, section(summary, { ...provenance, command }));
      console.log(`fuzz: recorded in ${SETTINGS.out} (${FUZZ_HEADING})`);
    }
    expect(report).toEqual([]);
  }, TEST_TIMEOUT_MS);
}
