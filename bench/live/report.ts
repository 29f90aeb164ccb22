/**
 * npm run bench:live's figures: two tables (cost, delay), the goals from the issue, and the
 * "Live updates" section of docs/benchmarks.md, replaced in place so the query bench's part stays.
 */
import { machine, revision } from '../lib/provenance.ts';
import { LIVE_HEADING, writeSection } from '../lib/sections.ts';
import type { Delays, Spread } from './stats.ts';

export interface LiveSettings {
  /** One run per count, after a baseline with one subscriber per key. */
  subscribers: number[];
  keys: number;
  /** Pages per token: keys are tokens x pages. */
  pages: number;
  seconds: number;
  pollMs: number;
  /** Streams opened at once; how long a batch may wait for its first events; the pace once one waited longer. */
  batch: number;
  behindS: number;
  paceS: number;
  pinned: boolean;
  document: string;
}

export interface ScenarioResult {
  label: string;
  subscribers: number;
  keys: number;
  /** The measured window, s. */
  windowS: number;
  /** Opening every stream until each had its first event, s. */
  openS: number;
  idleRssMb: number;
  rssMb: number;
  peakRssMb: number;
  heapMb: number;
  upstreamPerS: number;
  /** Events the clients received in the window, and what the gateway counted. */
  events: number;
  gatewayEvents: number;
  /** Gateway CPU (user + system) in the window, ms. */
  cpuMs: number;
  gatewayCore: number;
  clientCore: number;
  /** The runner's event-loop delay: when high, the clients (not the gateway) add to the delays. */
  clientLagP99Ms: number;
  delays: Delays;
  problems: string[];
  closeMs: number;
  leftOpen: number;
  leftPolling: number;
}

export const HEADING = LIVE_HEADING;

const f = (n: number, digits = 0) =>
  !Number.isFinite(n) ? '–' : digits < 0 ? String(Math.round(n / 10 ** -digits) * 10 ** -digits) : n.toFixed(digits);
const pct = (n: number) => `${Math.round(n * 100)}%`;
const ms = (s: Spread) => `${f(s.p50)} / ${f(s.p99)} / ${f(s.max)}`;

function tables(results: ScenarioResult[]): string {
  const cost = results.map((r) => `| ${r.label} | ${r.subscribers} | ${r.keys} | ${f(r.upstreamPerS, 1)} | ${f(r.events / r.windowS)} ` +
    `| ${pct(r.cpuMs / 1000 / r.windowS)} | ${f((r.cpuMs * 1000) / r.events, 1)} | ${f(r.idleRssMb)} / ${f(r.rssMb)} / ${f(r.peakRssMb)} ` +
    `| ${f(r.heapMb)} | ${f(((r.rssMb - r.idleRssMb) * 1024) / r.subscribers, 1)} | ${f(r.openS, 1)} |`);
  const delay = results.map((r) => {
    const d = r.delays;
    return `| ${r.label} | ${d.streaming} | ${ms(d.toLast)} | ${ms(d.toFirst)} | ${ms(d.fanOut)} | ${f(d.perEvent.p50)} / ${f(d.perEvent.p99)} ` +
      `| ${f(d.seenPerKey, 1)} of ${d.changesPerKey} | ${d.skipped} / ${d.missing} | ${r.problems.length ? r.problems.join('; ') : 'none'} ` +
      `| ${r.leftOpen} / ${r.leftPolling} after ${f(r.closeMs)} ms |`;
  });
  return '| run | subscribers | keys | upstream calls/s | events/s delivered | gateway CPU (of a core) | CPU µs per event ' +
    '| RSS MB: idle / end / peak | heap used MB | RSS above idle, KB per subscriber | open all s |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' + cost.join('\n') + '\n\n' +
    '| run | streams with a page when the window began | change → last subscriber ms: p50 / p99 / max | change → first subscriber ms | fan-out first → last ms ' +
    '| every event ms: p50 / p99 | changes per key polled | changes skipped / missing | errors, early ends, gateway warnings ' +
    '| subscriptions / pollers left after hang-up |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n' + delay.join('\n') + '\n';
}

/** The issue's goals, checked on the last run; and what more subscribers cost, against the baseline. */
function verdicts(s: LiveSettings, results: ScenarioResult[]): string[] {
  const last = results.at(-1) as ScenarioResult;
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  const out = [
    `upstream calls/s ${f(last.upstreamPerS, 1)} for ${last.keys} keys and ${last.subscribers} subscribers (goal: about the number of keys): ` +
      met(Math.abs(last.upstreamPerS - last.keys) <= 0.1 * last.keys),
    `gateway RSS ${f(last.rssMb)} MB at the window's end, peak ${f(last.peakRssMb)} MB (goal: under 300 MB): ${met(last.peakRssMb < 300)}`,
    `change → last subscriber p99 ${f(last.delays.toLast.p99)} ms (goal: under LIVE_POLL_MS + 250 = ${s.pollMs + 250} ms): ` +
      met(last.delays.toLast.p99 < s.pollMs + 250),
  ];
  const base = results[0] as ScenarioResult;
  for (const r of results.slice(1)) {
    const more = r.subscribers - base.subscribers;
    const perEvent = ((r.cpuMs - base.cpuMs) * 1000) / (r.events - base.events);
    // What is left of one core after the baseline's polling, divided by what one more event costs.
    const capacity = ((1 - base.cpuMs / 1000 / base.windowS) * 1e6) / perEvent;
    out.push(`${r.label}, against the baseline: ${f(((r.rssMb - base.rssMb) * 1024) / more, 1)} KB of RSS and ` +
      `${f(((r.heapMb - base.heapMb) * 1024) / more, 1)} KB of heap per added subscriber; ${f(perEvent, 1)} µs of gateway ` +
      `CPU per added event, so one core delivers at most about ${f(capacity, -1)} events/s`);
  }
  return out;
}

function cautions(results: ScenarioResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (Math.abs(r.gatewayEvents - r.events) > 0.02 * r.events) {
      out.push(`${r.label}: the gateway counted ${r.gatewayEvents} events (gateway_live_events_total) in the window, the clients received ` +
        `${r.events}: an event handed to a stream that still holds an unsent one replaces it, and is counted all the same.`);
    }
    if (r.clientCore > 0.9 || r.clientLagP99Ms > 50) {
      out.push(`${r.label}: the client core was ${pct(r.clientCore)} busy, its event loop lagged up to ${f(r.clientLagP99Ms)} ms (p99): ` +
        'the clients and emulator, not only the gateway, are in the delays.');
    }
    if (r.gatewayCore - r.cpuMs / 1000 / r.windowS > 0.1) out.push(`${r.label}: the gateway's core did ${pct(r.gatewayCore - r.cpuMs / 1000 / r.windowS)} other work (not quiet).`);
  }
  return out;
}

const REVISION = revision(); // read at start-up, right after the build

function command(): string {
  const knobs = ['BENCH_LIVE_SUBSCRIBERS', 'BENCH_LIVE_KEYS', 'BENCH_LIVE_SECONDS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `);
  return `${knobs.join('')}npm run bench:live`;
}

function section(s: LiveSettings, results: ScenarioResult[], notes: string[], totalS: number): string {
  const tokens = Math.ceil(s.keys / s.pages);
  return `${HEADING}

What live updates cost: SSE subscribers of \`Subscription.trainingJobs\` on one gateway process while every
watched page changes every second, against the issue's goals. Produced by \`npm run bench:live\` (bench/live/run.ts;
not part of \`npm test\`), which prints the same tables. Knobs: \`BENCH_LIVE_SUBSCRIBERS\` (10000; a comma list
runs each), \`BENCH_LIVE_KEYS\` (100), \`BENCH_LIVE_SECONDS\` (30), \`BENCH_LIVE_CPU_PROF\` (a folder for the
last run's gateway CPU profile), \`BENCH_OUT\` (the file for this section; \`-\` writes none).

- Command: \`${command()}\`; the runner took ${Math.round(totalS)} s after the build
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; gateway revision ${REVISION}
- Machine: ${machine()}
- Settings: LIVE_POLL_MS ${s.pollMs}; ${s.keys} keys = ${tokens} tokens × ${s.pages} pages of running jobs; subscribers spread
  evenly over the keys, all with this document; a ${s.seconds} s window per run; "baseline": one subscriber per key

\`\`\`graphql
${s.document}
\`\`\`

${tables(results)}
${verdicts(s, results).map((v) => `- ${v}`).join('\n')}

Method:

- ${s.pinned ? 'The gateway ran alone on core 0 (`taskset`); the emulator, the clients and the runner on core 1.' : '**No pinning** (taskset missing): gateway, emulator and clients shared both cores.'}
  Each run starts a fresh gateway (\`dist/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn, the live limits raised).
- The emulator's clock ticks once a second and no job changes status, so every running job's duration, and so
  every watched page, changes at each whole second. The durations in an event tell which second it shows; its
  delay is its arrival minus that second, so it includes the wait for the next poll (0 to 1 s, polls jittered ±10 %).
- Streams: POST /graphql with \`accept: text/event-stream\`, one socket each. Each key's first stream opens
  ${f(s.pollMs / s.keys)} ms after the previous one's, so the pollers start spread over one interval; the rest open
  ${s.batch} at a time, each batch once the previous one has its first events. A batch without them after ${s.behindS} s
  means the gateway fell behind: the rest then open ${s.batch} every ${s.paceS} s, and the run measures it overloaded.
- In the window: upstream calls counted at the emulator; events counted at the clients; gateway CPU is utime + stime
  (all threads) over the window, per event received (polling included: the baseline is mostly polling); RSS is
  VmRSS at the window's end and VmHWM, idle RSS is read before any stream; heap used from the gateway's /metrics.
- "change → last subscriber": for each key and each change a poll saw, until every subscriber of the key had that
  page or a newer one (a stream whose reader lags keeps only the newest page: "skipped"); "missing" counts
  (subscriber, change) pairs with neither within 5 s of the window's end. Changes no poll saw count only as not polled.
  Delays count the streams that had their first page when the window began; the others wait for admission.
- Then every client hangs up, and /metrics must show no subscription and no poller left.
${notes.length ? `\nNotes on this run:\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** Prints the tables and writes (or replaces) the section in `out` ('-': nowhere). */
export function report(s: LiveSettings, results: ScenarioResult[], notes: string[], totalS: number, out: string, log: (line: string) => void): void {
  notes.push(...cautions(results));
  log(`\n${tables(results)}\n${verdicts(s, results).join('\n')}\n${notes.map((n) => `note: ${n}`).join('\n')}\ntotal ${totalS.toFixed(0)} s`);
  if (out === '-') return;
  writeSection(out, HEADING, section(s, results, notes, totalS));
  log(`written: ${out}`);
}
