/**
 * npm run bench:live: SSE subscribers over distinct keys on one gateway process (core 0), the
 * emulator changing every watched page once a second, clients and emulator in this runner
 * (core 1). A baseline with one subscriber per key first, then the full load, each on a fresh
 * gateway. Knobs: BENCH_LIVE_SUBSCRIBERS (10000; a comma list runs each), BENCH_LIVE_KEYS (100),
 * BENCH_LIVE_SECONDS (30), BENCH_LIVE_CPU_PROF (a folder: the last run's gateway writes a .cpuprofile there),
 * BENCH_OUT (the file whose live section is written, default docs/benchmarks.md; - for none).
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '../../src/emulator/index.ts';
import { metrics, rssMb } from '../lib/gateway.ts';
import { ROOT } from '../lib/paths.ts';
import { HAS_TASKSET, coreJiffies, cpuMs, peakRssMb, pinSelf, runMain, stop, waitForQuiet } from '../lib/proc.ts';
import { machine } from '../lib/provenance.ts';
import { openSse, type SseStream } from '../lib/sse.ts';
import { TICK_MS, changeOf, keyArgs, startEmulator, DOCUMENT } from './data.ts';
import { listenOverflows, startGateway } from './gateway.ts';
import { report, type LiveSettings, type ScenarioResult } from './report.ts';
import { arrivals, delays, keyOfSub, type Arrivals } from './stats.ts';

const GATEWAY_CORE = 0;
const CLIENT_CORE = 1;
const POLL_MS = TICK_MS; // LIVE_POLL_MS: each poll finds a changed page
const BATCH = 500; // streams opened at once: a burst of 10,000 would only measure the listen backlog
const BEHIND_MS = 30_000; // a batch still without its first events by then: the gateway fell behind
const PACE_MS = 2000; // between batches once the gateway fell behind
const SETTLE_MS = 2000; // after the last stream opened, before the window
const TAIL_MS = 3000; // after the window, so that its last changes reach every subscriber
const env = process.env;
const log = (line: string) => process.stdout.write(`${line}\n`);

function int(name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
const keys = int('BENCH_LIVE_KEYS', 100);
const settings: LiveSettings = {
  subscribers: (env.BENCH_LIVE_SUBSCRIBERS ?? '10000').split(',').map((n) => Number(n.trim())),
  keys,
  pages: Math.min(10, keys),
  seconds: int('BENCH_LIVE_SECONDS', 30),
  pollMs: POLL_MS,
  batch: BATCH,
  behindS: BEHIND_MS / 1000,
  paceS: PACE_MS / 1000,
  pinned: HAS_TASKSET,
  document: DOCUMENT,
};
const streamArgs = Array.from({ length: keys }, (_, key) => keyArgs(key, settings.pages));
// The subscribers of a key all get the same text for a change: read it once.
const seenText: string[] = [];
const seenChange: Array<number | string> = [];

async function scenario(label: string, emulator: Emulator, subscribers: number, profileDir?: string): Promise<ScenarioResult> {
  const { seconds } = settings;
  const overflows = listenOverflows();
  const gateway = await startGateway(GATEWAY_CORE, emulator.url, POLL_MS, subscribers, profileDir);
  const { child, url } = gateway;
  const streams: SseStream[] = [];
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  let recording: Arrivals | undefined;
  let events = 0;
  const streaming = new Uint8Array(subscribers); // 1 once a subscriber has its first page

  /** Opens subscriber `sub`; resolves at its first event, or when it ends. */
  const open = (sub: number) => new Promise<void>((resolve) => {
    const key = keyOfSub(sub, keys);
    let first = false;
    const { token, body } = streamArgs[key] as { token: string; body: string };
    streams[sub] = openSse(new URL('/graphql', url), body, { 'x-auth-token': token }, {
      next(data, at) {
        first = true;
        resolve();
        events++;
        streaming[sub] = 1;
        if (data !== seenText[key]) {
          seenText[key] = data;
          seenChange[key] = changeOf(data);
        }
        const change = seenChange[key] as number | string;
        if (typeof change === 'string') problem(change);
        else if (recording) {
          recording.sub.push(sub);
          recording.key.push(key);
          recording.change.push(change);
          recording.at.push(at);
        }
      },
      end(reason) {
        problem(`stream ended early ${first ? 'after' : 'before'} its first event: ${reason}`);
        resolve();
      },
    });
  });
  /** Waits up to `ms` for these streams' first events; resolves how many still have none. */
  const firstEvents = async (opening: Promise<void>[], ms: number) => {
    let done = 0;
    for (const p of opening) void p.then(() => done++);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(opening), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return opening.length - done;
  };

  try {
    // One stream opened and closed first, so that yoga is loaded when the idle RSS is read.
    if (await firstEvents([open(0)], 10_000)) throw new Error(`no first event within 10 s\n${child.tail.join('\n')}`);
    streams[0]?.close();
    await sleep(2000);
    const idleRssMb = rssMb(child.pid);
    problems.clear();

    const openedAt = performance.now();
    // Each key's first subscriber starts its poller: spread them over one interval, as keys that
    // started at unrelated times are (the jitter would spread them too, but only over minutes).
    const opening: Promise<void>[] = [];
    for (let sub = 0; sub < keys; sub++) {
      opening.push(open(sub));
      await sleep(POLL_MS / keys);
    }
    let behind = (await firstEvents(opening, BEHIND_MS)) > 0;
    for (let from = keys; from < subscribers; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, subscribers - from) }, (_, i) => open(from + i));
      opening.push(...batch);
      const [cpu, t] = [cpuMs(child.pid), performance.now()];
      // A gateway that fell behind gets the rest at a steady pace: the run measures it overloaded.
      const left = behind ? (await sleep(PACE_MS), batch.length) : await firstEvents(batch, BEHIND_MS);
      gateway.alive();
      const took = performance.now() - t;
      log(`    ${from + batch.length} open; ${left ? `${left} of this batch without a first event after` : 'this batch had its first events in'} ` +
        `${(took / 1000).toFixed(1)} s, the gateway busy ${Math.round(((cpuMs(child.pid) - cpu) / took) * 100)}% of its core`);
      behind ||= left > 0;
    }
    const late = await firstEvents(opening, BEHIND_MS);
    if (late > 0) problems.set(`streams without a first event ${BEHIND_MS / 1000} s after the last one opened`, late);
    const openS = (performance.now() - openedAt) / 1000;
    log(`  ${label}: ${subscribers} streams open with their first event in ${openS.toFixed(1)} s; measuring ${seconds} s`);
    await sleep(SETTLE_MS);

    const m0 = await metrics(url);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    recording = arrivals();
    const counted = streaming.slice();
    const t0 = Date.now();
    const [cpu0, calls0, events0, core0, client0] = [cpuMs(child.pid), emulator.answered, events, coreJiffies(GATEWAY_CORE), coreJiffies(CLIENT_CORE)];
    await sleep(seconds * 1000);
    const t1 = Date.now();
    const [cpu1, calls1, events1, core1, client1] = [cpuMs(child.pid), emulator.answered, events, coreJiffies(GATEWAY_CORE), coreJiffies(CLIENT_CORE)];
    const [rss, peak] = [rssMb(child.pid), peakRssMb(child.pid)];
    lag.disable();
    const m1 = await metrics(url);
    await sleep(TAIL_MS);
    gateway.alive();
    const recorded = recording;
    recording = undefined;

    // The window's changes up to 2 s before its end, which had TAIL_MS + 2 s to reach everyone.
    const d = delays(recorded, Math.ceil(t0 / TICK_MS) * TICK_MS, Math.floor((t1 - 2000) / TICK_MS) * TICK_MS, TICK_MS, keys, counted);

    // Everyone hangs up: the gateway must notice and stop every poller.
    const closedAt = performance.now();
    for (const s of streams) s.close();
    let after = await metrics(url);
    while ((after('gateway_live_subscriptions') > 0 || after('gateway_live_pollers') > 0) && performance.now() - closedAt < 15_000) {
      await sleep(100);
      after = await metrics(url);
    }
    for (const [msg, n] of gateway.logged) problems.set(`the gateway logged "${msg}"`, n);
    const dropped = listenOverflows() - overflows;
    if (dropped > 0) problems.set('connections the kernel dropped, the listen queue full (TcpExt ListenOverflows)', dropped);
    const share = (a: { busy: number; total: number }, b: typeof a) => (b.busy - a.busy) / Math.max(1, b.total - a.total);
    const windowS = (t1 - t0) / 1000;
    return {
      label, subscribers, keys, windowS, openS, idleRssMb, rssMb: rss, peakRssMb: peak,
      heapMb: m1('nodejs_heap_size_used_bytes') / 2 ** 20,
      upstreamPerS: (calls1 - calls0) / windowS,
      events: events1 - events0,
      gatewayEvents: m1('gateway_live_events_total') - m0('gateway_live_events_total'),
      cpuMs: cpu1 - cpu0,
      gatewayCore: share(core0, core1),
      clientCore: share(client0, client1),
      clientLagP99Ms: lag.percentile(99) / 1e6,
      delays: d,
      problems: [...problems].map(([what, n]) => `${n}× ${what}`),
      closeMs: performance.now() - closedAt,
      leftOpen: after('gateway_live_subscriptions'),
      leftPolling: after('gateway_live_pollers'),
    };
  } finally {
    for (const s of streams) s?.close();
    await stop(child, 10_000); // a profiled gateway writes its profile on the way out
  }
}

async function main(): Promise<void> {
  const { subscribers } = settings;
  if (!subscribers.every((n) => Number.isInteger(n) && n >= keys)) throw new Error('BENCH_LIVE_SUBSCRIBERS: whole numbers, each at least BENCH_LIVE_KEYS');
  const started = performance.now();
  pinSelf(CLIENT_CORE);
  log(`bench:live: ${machine()}`);
  const notes: string[] = [];
  const busy = await waitForQuiet([GATEWAY_CORE, CLIENT_CORE], log);
  if (busy > 0.1) notes.push(`the machine was not quiet when the run began (a core ${Math.round(busy * 100)}% busy with other work).`);
  const emulator = await startEmulator(settings.pages);
  const results: ScenarioResult[] = [];
  try {
    if (Math.min(...subscribers) > keys) results.push(await scenario('baseline', emulator, keys));
    for (const [i, n] of subscribers.entries()) {
      const last = i === subscribers.length - 1;
      results.push(await scenario(`${n / keys} per key`, emulator, n, last ? env.BENCH_LIVE_CPU_PROF : undefined));
    }
  } finally {
    await emulator.close();
  }
  report(settings, results, notes, (performance.now() - started) / 1000, env.BENCH_OUT ?? join(ROOT, 'docs', 'benchmarks.md'), log);
}

runMain('bench:live', main);
