/**
 * npm run soak: an endurance run of one gateway process at saturation, with a realistic mix, that
 * fails on unexpected errors, on memory that keeps growing, and on handles that leak. Not part of
 * npm test. The built gateway (dist/src/main.js) runs alone on core 0 (taskset); this runner, the
 * emulator it creates and all the clients share core 1.
 *
 * The load, for SOAK_MINUTES: SOAK_CONNECTIONS keep-alive clients sending queries back to back
 * (lib/mix.ts's seeded mix over 20 credentials: 90 % perPage 10 over varied pages, sorts,
 * filters and searches, 10 % perPage 1000), 2 % of them abandoned mid-request (load.ts);
 * upstream faults on 3 % of the emulator's calls (faults.ts); SOAK_SUBSCRIBERS SSE
 * subscribers over the same credentials, each living 20-90 s before a fresh one replaces it
 * (subscribers.ts). The emulator's data moves once a second (running jobs' durations grow, a job
 * changes state every 4 s), so the watched pages change and subscribers get events.
 *
 * Every 10 s: the gateway's RSS (/proc) and open file descriptors, and from its /metrics heap
 * used, active handles and event-loop delay (p99 since the last scrape); requests answered and
 * events delivered. Verdicts (report.ts): no unexpected error; RSS and heap not growing after
 * minute 2 (least-squares slope under a threshold); handles and fds back to their baseline (read
 * after a warm-up, idle) once the load stops. Exit code 1 when any verdict fails.
 *
 * Knobs: SOAK_MINUTES (10; at least 3, so some samples come after minute 2), SOAK_CONNECTIONS
 * (32), SOAK_SUBSCRIBERS (1000), SOAK_OUT (the file whose "Endurance" section is written, default
 * docs/benchmarks.md, with the plot in docs/soak.svg; `-` writes no section and puts the plot in the
 * system's temporary folder, for trial runs).
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmulator, generateJobs } from '../../src/emulator/index.ts';
import { launchGateway, metrics, rssMb, type Gateway } from '../lib/gateway.ts';
import type { Mix } from '../lib/mix.ts';
import { ROOT } from '../lib/paths.ts';
import { HAS_TASKSET, coreJiffies, cpuMs, peakRssMb, pinSelf, runMain, stop, waitForQuiet } from '../lib/proc.ts';
import { machine } from '../lib/provenance.ts';
import { Tally } from './answers.ts';
import { startFaults } from './faults.ts';
import { startLoad } from './load.ts';
import { report, settledBack, type Idle, type Sample, type SoakSettings } from './report.ts';
import { startSubscribers } from './subscribers.ts';

const GATEWAY_CORE = 0;
const OTHER_CORE = 1;
const SAMPLE_MS = 10_000;
const WARMUP_MS = 15_000;
/** Idle before the baseline: longer than the emulator's 5 s keep-alive, so the gateway's idle upstream sockets are gone. */
const SETTLE_MS = 10_000;
/** After the load, how long handles may take to return to the baseline. */
const RETURN_MS = 30_000;
const env = process.env;
const log = (line: string) => process.stdout.write(`${line}\n`);

function int(name: string, fallback: number, min: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}`);
  return value;
}

const JOBS = 2000;
const settings: SoakSettings = {
  minutes: int('SOAK_MINUTES', 10, 3),
  connections: int('SOAK_CONNECTIONS', 32, 1),
  subscribers: int('SOAK_SUBSCRIBERS', 1000, 0),
  // Cold requests (30 %) are perPage 10 or 1000 alike, so 10 % of all requests ask for 1000 jobs.
  mix: { hot: 0.7, hotPerPage: 10, coldPerPage: [10, 10, 1000], jobs: JOBS } satisfies Mix,
  jobs: JOBS,
  abortShare: 0.02,
  faultShare: 0.03,
  pollMs: 1000,
  lifeS: [20, 90],
  rampS: 10,
  sampleS: SAMPLE_MS / 1000,
  warmupS: WARMUP_MS / 1000,
  settleS: SETTLE_MS / 1000,
  returnS: RETURN_MS / 1000,
  pinned: HAS_TASKSET,
  machine: machine(),
};
const OUT = env.SOAK_OUT ?? join(ROOT, 'docs', 'benchmarks.md');
const SVG = OUT === '-' ? join(tmpdir(), 'soak.svg') : join(ROOT, 'docs', 'soak.svg');

/** Error and fatal lines of the gateway's log, and anything on its stderr (a Node warning such as MaxListenersExceeded), are unexpected. */
function watchLog(gateway: Gateway, unexpected: Tally, warnings: Tally): void {
  const lines = (stream: NodeJS.ReadableStream | null, each: (line: string) => void) => {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) each(line);
    });
  };
  lines(gateway.child.proc.stdout, (line) => {
    const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 80);
    if (level >= 50) unexpected.add(`gateway logged at level ${level >= 60 ? 'fatal' : 'error'}: ${msg}`, line);
    else if (level >= 40) warnings.add(msg);
  });
  lines(gateway.child.proc.stderr, (line) => unexpected.add(`gateway stderr: ${line.slice(0, 80)}`, line));
}

async function idle(gateway: Gateway): Promise<Idle> {
  const m = await metrics(gateway.url);
  return {
    handles: m('nodejs_active_handles_total'),
    fds: readdirSync(`/proc/${gateway.child.pid}/fd`).length,
    rssMb: rssMb(gateway.child.pid),
    heapMb: m('nodejs_heap_size_used_bytes') / 2 ** 20,
    subscriptions: m('gateway_live_subscriptions'),
    pollers: m('gateway_live_pollers'),
    inFlight: m('gateway_http_requests_in_flight'),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  pinSelf(OTHER_CORE);
  log(`soak: ${settings.minutes} min, ${settings.connections} connections, ${settings.subscribers} subscribers; ${settings.machine}`);
  const notes: string[] = [];
  const busy = await waitForQuiet([GATEWAY_CORE, OTHER_CORE], log);
  if (busy > 0.1) notes.push(`the machine was not quiet when the run began (a core ${Math.round(busy * 100)}% busy with other work).`);

  // One clock read per second, so the emulator re-indexes its moving data once a second, not per call.
  const tick = () => Math.floor(Date.now() / 1000) * 1000;
  const emulator = await createEmulator({ jobs: generateJobs(JOBS, 7), logRequests: false, motion: { clock: tick, stepMs: 4000 } }).listen();
  const unexpected = new Tally();
  const warnings = new Tally();
  const gateway = await launchGateway(GATEWAY_CORE, {
    MODELARTS_ENDPOINT: emulator.url,
    MODELARTS_PROJECT_ID: 'soak',
    MODELARTS_AUTH: 'passthrough',
    LIVE_POLL_MS: String(settings.pollMs),
    // The defaults admit 20 streams per credential; 1,000 over 20 credentials need more, with room for uneven draws.
    LIVE_MAX_PER_CALLER: String(Math.max(20, settings.subscribers)),
    LIVE_MAX_SUBSCRIPTIONS: String(Math.max(10_000, 2 * settings.subscribers)),
  });
  const { pid } = gateway.child;
  let stopping = false;
  let exited: string | undefined;
  gateway.child.proc.on('exit', (code, signal) => {
    if (!stopping) {
      exited = `exit ${code ?? signal}`;
      unexpected.add('the gateway exited during the run', gateway.child.tail.join('\n'));
    }
  });
  watchLog(gateway, unexpected, warnings);

  const phase = (subscribers: number, lifeS: [number, number], rampS: number) => ({
    load: startLoad(gateway.url, settings.connections, settings.mix, settings.abortShare, unexpected),
    subs: startSubscribers(gateway.url, subscribers, rampS * 1000, unexpected, [lifeS[0] * 1000, lifeS[1] * 1000]),
    faults: startFaults(emulator, settings.faultShare),
  });
  const end = async (p: ReturnType<typeof phase>) => {
    p.faults.stop();
    p.subs.stop();
    await p.load.stop(); // requests in flight end within the gateway's deadline
  };

  try {
    // Warm-up: every path once (JIT, yoga for the streams, pools), then idle: the baseline.
    log(`warm-up ${settings.warmupS} s, then ${settings.settleS} s idle for the baseline`);
    const warm = phase(Math.min(100, settings.subscribers), [3, 8], 2);
    await sleep(WARMUP_MS);
    await end(warm);
    await sleep(SETTLE_MS);
    gateway.alive();
    const baseline = await idle(gateway);
    log(`baseline: ${baseline.handles} handles, ${baseline.fds} fds, RSS ${baseline.rssMb.toFixed(0)} MB, heap ${baseline.heapMb.toFixed(0)} MB`);

    const run = phase(settings.subscribers, settings.lifeS, settings.rampS);
    const samples: Sample[] = [];
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    await metrics(gateway.url); // a scrape resets the gateway's event-loop delay histogram
    const t0 = performance.now();
    const snap = () => ({
      at: performance.now(), cpu: cpuMs(pid), core: coreJiffies(GATEWAY_CORE), other: coreJiffies(OTHER_CORE),
      answered: run.load.counts.pages + run.load.counts.faults, aborted: run.load.counts.aborted,
      events: run.subs.events, upstream: emulator.answered,
    });
    let prev = snap();
    const count = Math.floor((settings.minutes * 60_000) / SAMPLE_MS);
    for (let k = 1; k <= count && exited === undefined; k++) {
      await sleep(Math.max(0, t0 + k * SAMPLE_MS - performance.now()));
      if (exited !== undefined) break;
      // Counters and /proc first, on time; the scrape may wait for a busy gateway.
      const now = snap();
      const rss = rssMb(pid);
      const fds = readdirSync(`/proc/${pid}/fd`).length;
      const m = await metrics(gateway.url).catch(() => undefined);
      if (!m) continue; // the gateway is going: the exit handler says why
      const s = (now.at - prev.at) / 1000;
      const share = (a: { busy: number; total: number }, b: typeof a) => (b.busy - a.busy) / Math.max(1, b.total - a.total);
      const sample: Sample = {
        minute: (now.at - t0) / 60_000,
        rssMb: rss,
        heapMb: m('nodejs_heap_size_used_bytes') / 2 ** 20,
        fds,
        handles: m('nodejs_active_handles_total'),
        lagP99Ms: m('nodejs_eventloop_lag_p99_seconds') * 1000,
        reqPerS: (now.answered - prev.answered) / s,
        abortedPerS: (now.aborted - prev.aborted) / s,
        eventsPerS: (now.events - prev.events) / s,
        upstreamPerS: (now.upstream - prev.upstream) / s,
        subscribers: run.subs.open,
        subscriptions: m('gateway_live_subscriptions'),
        pollers: m('gateway_live_pollers'),
        gatewayCpu: (now.cpu - prev.cpu) / 1000 / s,
        otherCore: share(prev.other, now.other),
        gatewayCore: share(prev.core, now.core),
        runnerLagP99Ms: lag.percentile(99) / 1e6,
        unexpected: unexpected.total(),
      };
      lag.reset();
      prev = now;
      samples.push(sample);
      log(`  ${sample.minute.toFixed(2).padStart(5)} min  RSS ${sample.rssMb.toFixed(0)} MB  heap ${sample.heapMb.toFixed(0)} MB  ` +
        `${sample.fds} fds  ${sample.handles} handles  loop p99 ${sample.lagP99Ms.toFixed(0)} ms  ${sample.reqPerS.toFixed(0)} req/s  ` +
        `${sample.eventsPerS.toFixed(0)} events/s  ${sample.subscribers} streams, ${sample.pollers} pollers  ` +
        `gateway ${Math.round(sample.gatewayCpu * 100)}%, runner core ${Math.round(sample.otherCore * 100)}%  unexpected ${sample.unexpected}`);
    }
    lag.disable();
    const totals = {
      ...run.load.counts,
      events: run.subs.events,
      streamsOpened: run.subs.opened,
      streamsRetired: run.subs.retired,
      faultsInjected: run.faults.total(),
      upstream: emulator.answered,
    };
    await end(run);
    log('load stopped, every stream closed; waiting for the gateway to return to its baseline');

    // Idle again: everything back to the baseline within RETURN_MS (tolerances in report.ts).
    const stoppedAt = performance.now();
    let after: Idle | undefined;
    let returnS = NaN;
    while (exited === undefined && performance.now() - stoppedAt < RETURN_MS) {
      await sleep(1000);
      after = await idle(gateway).catch(() => undefined);
      if (after && settledBack(after, baseline)) {
        returnS = (performance.now() - stoppedAt) / 1000;
        break;
      }
    }
    const peak = exited === undefined ? peakRssMb(pid) : NaN;
    stopping = true;
    await stop(gateway.child, 20_000);
    const exit = exited ?? `exit ${gateway.child.proc.exitCode ?? gateway.child.proc.signalCode}`;

    report({
      settings, samples, baseline, after, returnS, peakRssMb: peak, exit, totals,
      unexpected, warnings, expected: [run.load.expected, run.subs.expected], injected: run.faults.injected,
      notes, totalS: (performance.now() - started) / 1000,
    }, OUT, SVG, log);
  } finally {
    stopping = true;
    await stop(gateway.child);
    await emulator.close();
  }
}

runMain('soak', main);
