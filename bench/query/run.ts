/**
 * npm run bench: starts the stub upstream, checks every system's answer, then measures them in
 * interleaved rounds per page size and writes docs/benchmarks.md. Server on core 0, everything else
 * (stub, autocannon, this runner) on core 1. Knobs: BENCH_DURATION (s), BENCH_ROUNDS,
 * BENCH_CONNECTIONS, BENCH_SYSTEMS (comma list), BENCH_SIZES (comma list of perPage values),
 * BENCH_BASELINE (another built checkout, measured as "baseline"), BENCH_GROUPS (0 skips the
 * status-group part, groups.ts; `only` runs just that part and writes just its section),
 * BENCH_UPSTREAMS (0 skips the v1-next-to-v2 part, upstreams.ts; `only` runs just it),
 * BENCH_TRACING (0 skips the tracing part, tracing.ts; `only` runs just it),
 * BENCH_OUT (the file to write, default docs/benchmarks.md; - for none).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/paths.ts';
import {
  CLK_TCK, HAS_TASKSET, coreJiffies, cpuMs, firstLine, freePort, peakRssMb, pinSelf, runMain, runNode, startNode, stop, waitForQuiet, type Child,
} from '../lib/proc.ts';
import { machine } from '../lib/provenance.ts';
import { GROUPS_HEADING, TRACING_HEADING, UPSTREAMS_HEADING, ownedSections, writeSection } from '../lib/sections.ts';
import { document, type Settings } from './document.ts';
import { benchGroups } from './groups.ts';
import type { LoadResult } from './load.ts';
import { caveats, table, toRow, type Round, type SystemRun } from './report.ts';
import { toResponse, upstreamPath, requestBody, type WirePage } from './shape.ts';
import { QUERY_DIST, SYSTEMS, ask, firstCorrect, firstDifference } from './systems.ts';
import { benchUpstreams } from './upstreams.ts';
import { benchTracing } from './tracing.ts';

const SERVER_CORE = 0;
const LOAD_CORE = 1;
const env = process.env;
const list = (v: string | undefined, fallback: string) => (v ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const settings: Settings = {
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: 1,
  primeS: 5,
  rounds: Number(env.BENCH_ROUNDS ?? 3),
  connections: Number(env.BENCH_CONNECTIONS ?? 32),
  systems: list(env.BENCH_SYSTEMS, Object.keys(SYSTEMS).join(',')),
  sizes: list(env.BENCH_SIZES, '10,1000').map(Number),
  pinned: HAS_TASKSET,
};
const started = performance.now();
const log = (line: string) => process.stdout.write(`${line}\n`);

function validate(): void {
  const bad = settings.systems.filter((s) => !SYSTEMS[s]);
  if (bad.length) throw new Error(`BENCH_SYSTEMS: unknown ${bad.join(', ')} (known: ${Object.keys(SYSTEMS).join(', ')})`);
  if (settings.sizes.some((n) => !Number.isInteger(n) || (n !== 10 && n !== 1000))) throw new Error('BENCH_SIZES: 10 and/or 1000');
  for (const [k, v] of [['BENCH_DURATION', settings.durationS], ['BENCH_ROUNDS', settings.rounds], ['BENCH_CONNECTIONS', settings.connections]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer`);
  }
  for (const s of settings.systems) {
    const script = SYSTEMS[s]?.script ?? '';
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` and \`tsc -p bench\` (npm run bench does both)`);
  }
}

interface Running {
  system: string;
  child: Child;
  url: string;
}

/** Starts one system on the server core; resolves once it answers correctly, with the time that took. */
async function launch(system: string, upstream: string, expected10: unknown): Promise<Running & { startupMs: number }> {
  const def = SYSTEMS[system];
  if (!def) throw new Error(`unknown system ${system}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const t0 = performance.now();
  const child = startNode(system, SERVER_CORE, def.script, [], def.env(port, upstream));
  // A server that dies while starting fails at once rather than after the poll's timeout.
  const alive = () => child.proc.exitCode === null && child.proc.signalCode === null;
  try {
    const startupMs = await firstCorrect(url, 10, expected10, t0, alive, undefined, def.acceptEncoding);
    return { system, child, url, startupMs };
  } catch (err) {
    await stop(child);
    throw new Error(`${system}: ${(err as Error).message}\n  its output:\n${child.tail.map((l) => `    ${l}`).join('\n')}`);
  }
}

async function check(system: string, url: string, expected: Map<number, unknown>): Promise<void> {
  const acceptEncoding = SYSTEMS[system]?.acceptEncoding;
  for (const [size, want] of expected) {
    const { status, body, text, encoding, wireBytes } = await ask(url, size, acceptEncoding).catch((err: Error) => {
      throw new Error(`${system}, perPage ${size}: no answer (${err.message})`);
    });
    // Otherwise it would measure identity answers under a compressed system's name.
    if (acceptEncoding !== undefined && encoding !== acceptEncoding) {
      throw new Error(`${system}, perPage ${size}: asked for ${acceptEncoding}, answered ${encoding ?? 'identity'}`);
    }
    answerBytes.set(`${system} ${size}`, wireBytes);
    const diff = body === undefined ? `HTTP ${status}, not JSON: ${text.slice(0, 200)}` : firstDifference(body, want);
    if (diff) {
      const who = system === 'gateway'
        ? 'the gateway differs from the response DESIGN.md asks for (bench/query/shape.ts builds it by hand)'
        : `${system} differs from the gateway's (= the contract's) response`;
      throw new Error(`correctness check failed, perPage ${size}: ${who}\n  ${diff}`);
    }
  }
}

const expected = new Map<number, unknown>(); // perPage -> the correct response, set in main()
const answerBytes = new Map<string, number>(); // `${system} ${perPage}` -> its correct answer's body as sent, set by check()

const load = (running: Running, size: number, seconds: number) => {
  const acceptEncoding = SYSTEMS[running.system]?.acceptEncoding;
  const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
  return runNode<LoadResult>('autocannon', LOAD_CORE, join(QUERY_DIST, 'load.js'), [
    JSON.stringify({ url: running.url, connections: settings.connections, seconds, body: requestBody(size), headers }),
  ]);
};

/** One measured round: warm-up, then the run, with server CPU and both cores' load around it. */
async function measure(running: Running, size: number): Promise<Round> {
  await load(running, size, settings.warmupS);
  const cpu0 = cpuMs(running.child.pid);
  const s0 = coreJiffies(SERVER_CORE);
  const l0 = coreJiffies(LOAD_CORE);
  const result = await load(running, size, settings.durationS);
  const { proc, name, tail } = running.child;
  if (proc.exitCode !== null || proc.signalCode !== null) {
    throw new Error(`${name} exited during the run (${proc.exitCode ?? proc.signalCode})\n${tail.join('\n')}`);
  }
  const cpu1 = cpuMs(running.child.pid);
  const s1 = coreJiffies(SERVER_CORE);
  const l1 = coreJiffies(LOAD_CORE);
  if (result.ok === 0) throw new Error(`${name}, perPage ${size}: no successful answer under load`);
  // A 200 can still carry GraphQL errors; those answers are far shorter than the right one
  // (compressed too). autocannon's bytes count the headers as well, so this errs on the lenient side.
  const correct = answerBytes.get(`${running.system} ${size}`) ?? JSON.stringify(expected.get(size)).length;
  if (result.bytes / result.requests < 0.98 * correct) {
    throw new Error(`${name}, perPage ${size}: answers under load average ${Math.round(result.bytes / result.requests)} bytes, ` +
      `the correct one has ${correct}: some were errors`);
  }
  const share = (a: { busy: number; total: number }, b: typeof a) => (b.busy - a.busy) / Math.max(1, b.total - a.total);
  // What the server core did besides this server: interrupts, and any process not ours.
  const otherOnServerCore = Math.max(0, s1.busy - s0.busy - ((cpu1 - cpu0) * CLK_TCK) / 1000) / Math.max(1, s1.total - s0.total);
  return { load: result, cpuMs: cpu1 - cpu0, serverCore: share(s0, s1), loadCore: share(l0, l1), otherOnServerCore };
}

async function main(): Promise<void> {
  validate();
  pinSelf(LOAD_CORE);
  log(`bench: ${machine()}`);
  const notes: string[] = [];
  const busy = await waitForQuiet([SERVER_CORE, LOAD_CORE], log);
  if (busy > 0.1) notes.push(`the machine was not quiet when the run began (a core ${Math.round(busy * 100)}% busy with other work).`);
  log(HAS_TASKSET ? 'pinning: servers on core 0; stub, autocannon and runner on core 1' : 'pinning: none (taskset not found): numbers are noisier');
  const stub = startNode('stub', LOAD_CORE, join(QUERY_DIST, 'stub.js'), []);
  const { url: upstream } = (await firstLine(stub)) as { url: string };

  // The expected answers, built by hand from the stub's own pages.
  for (const size of [10, 1000]) {
    const res = await fetch(`${upstream}${upstreamPath(size)}`, { headers: { 'x-auth-token': 'bench' } });
    expected.set(size, toResponse((await res.json()) as WirePage, 1, size));
  }

  const runs = new Map<string, SystemRun>(); // key: `${size} ${system}`
  const startups = new Map<string, number[]>();
  const record = (system: string, ms: number) => startups.set(system, [...(startups.get(system) ?? []), ms]);

  // A part run alone (`only`) writes just its own section.
  const onlyGroups = env.BENCH_GROUPS === 'only';
  const onlyUpstreams = env.BENCH_UPSTREAMS === 'only';
  const onlyTracing = env.BENCH_TRACING === 'only';
  const onlyPart = onlyGroups || onlyUpstreams || onlyTracing;
  log('correctness: every system, both page sizes, one at a time');
  for (const system of onlyPart ? [] : settings.systems) {
    const r = await launch(system, upstream, expected.get(10));
    record(system, r.startupMs);
    try {
      await check(system, r.url, expected);
    } finally {
      await stop(r.child);
    }
    log(`  ${system}: correct; first correct answer after ${r.startupMs.toFixed(0)} ms`);
  }

  for (const size of onlyPart ? [] : settings.sizes) {
    log(`perPage ${size}: starting ${settings.systems.join(', ')}`);
    const running = new Map<string, Running>();
    try {
      for (const system of settings.systems) {
        const r = await launch(system, upstream, expected.get(10));
        record(system, r.startupMs);
        running.set(system, r);
        runs.set(`${size} ${system}`, { system, label: SYSTEMS[system]?.label ?? system, rounds: [], peakRssMb: NaN, startupMs: [] });
      }
      // A fresh process grows its heap and tiers up its code for a while: at 1000 jobs, one second
      // of warm-up is a few dozen requests, so each system is primed once before its first round.
      for (const r of running.values()) await load(r, size, settings.primeS);
      for (let round = 1; round <= settings.rounds; round++) {
        for (const [system, r] of running) {
          const m = await measure(r, size);
          runs.get(`${size} ${system}`)?.rounds.push(m);
          log(`  round ${round}/${settings.rounds} ${system.padEnd(12)} ${(m.load.ok / m.load.seconds).toFixed(0).padStart(6)} req/s` +
            `  p50 ${m.load.p50} ms  p99 ${m.load.p99} ms  cpu ${(m.cpuMs / m.load.requests).toFixed(3)} ms/req` +
            `  ${Math.round(m.load.bytes / m.load.requests)} B/answer` +
            `  cores busy: server ${Math.round(m.serverCore * 100)}%, load ${Math.round(m.loadCore * 100)}%`);
        }
      }
      for (const [system, r] of running) {
        await check(system, r.url, new Map([[size, expected.get(size)]])); // still right after the load
        const run = runs.get(`${size} ${system}`);
        if (run) run.peakRssMb = peakRssMb(r.child.pid);
      }
    } finally {
      for (const r of running.values()) await stop(r.child);
    }
  }
  let groups: { section: string; notes: string[] } | undefined;
  if (env.BENCH_GROUPS !== '0' && (!onlyPart || onlyGroups)) {
    log('status groups and counts: the gateway, cache off and at 5 s');
    groups = await benchGroups(upstream, { durationS: settings.durationS, rounds: settings.rounds, connections: settings.connections, serverCore: SERVER_CORE, loadCore: LOAD_CORE }, log);
  }
  let upstreams: { section: string; notes: string[] } | undefined;
  if (env.BENCH_UPSTREAMS !== '0' && (!onlyPart || onlyUpstreams)) {
    log('ModelArts v2 next to v1: the gateway on each, interleaved');
    upstreams = await benchUpstreams(upstream, { sizes: settings.sizes, durationS: settings.durationS, rounds: settings.rounds, connections: settings.connections, serverCore: SERVER_CORE, loadCore: LOAD_CORE }, log);
  }
  let tracing: { section: string; notes: string[] } | undefined;
  if (env.BENCH_TRACING !== '0' && (!onlyPart || onlyTracing)) {
    log('tracing: the previous build, tracing off and every request sampled, interleaved');
    tracing = await benchTracing(upstream, { sizes: settings.sizes, durationS: settings.durationS, rounds: settings.rounds, connections: settings.connections, serverCore: SERVER_CORE, loadCore: LOAD_CORE }, log);
  }
  await stop(stub);

  let tables = '';
  for (const size of onlyPart ? [] : settings.sizes) {
    const rows = settings.systems.map((system) => {
      const run = runs.get(`${size} ${system}`) as SystemRun;
      return toRow({ ...run, startupMs: startups.get(system) ?? [] });
    });
    tables += `### perPage ${size}\n\n${table(rows)}\n`;
    notes.push(...caveats(size, rows));
  }
  const totalS = (performance.now() - started) / 1000;
  log(`\n${tables}${groups ? `\n${groups.section}` : ''}${upstreams ? `\n${upstreams.section}` : ''}${tracing ? `\n${tracing.section}` : ''}${notes.map((n) => `note: ${n}\n`).join('')}total ${totalS.toFixed(0)} s`);
  // BENCH_OUT=- keeps a trial run from replacing the recorded one.
  const out = env.BENCH_OUT ?? join(ROOT, 'docs', 'benchmarks.md');
  if (out !== '-') {
    // The live and scale-out sections (npm run bench:live, bench:fleet) are other runs': keep them.
    if (!onlyPart) {
      const kept = ownedSections(existsSync(out) ? readFileSync(out, 'utf8') : '');
      writeFileSync(out, `${document(settings, tables, notes, totalS).trimEnd()}\n${kept ? `\n${kept}` : ''}`);
    }
    if (groups) writeSection(out, GROUPS_HEADING, groups.section);
    if (upstreams) writeSection(out, UPSTREAMS_HEADING, upstreams.section);
    if (tracing) writeSection(out, TRACING_HEADING, tracing.section);
    log(`written: ${out}${onlyPart ? ' (its own section)' : ''}`);
  }
}

runMain('bench', main);
