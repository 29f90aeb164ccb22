/**
 * npm run soak's verdicts, its printed summary, the plot, and the "Endurance" section of
 * docs/benchmarks.md (replaced in place, so the other runners' sections stay).
 *
 * Thresholds, and why:
 * - RSS and heap used, least-squares slope over the samples from minute 2 to the end of the load:
 *   at most 4 MB/min each. A leak is a line and a large one: at this mix one core answers about
 *   300 requests a second (18,000 a minute) and some 1,100 streams open and close a minute, so
 *   1 KB kept per request grows 18 MB/min and 20 KB per stream (what a live one costs) 22 MB/min;
 *   4 MB/min is about 230 bytes per request or 4 KB per stream. The garbage collector's sawtooth
 *   is not a line: on this machine heap used climbs from about 50 to 130 MB and drops every 1-2
 *   minutes, and RSS follows it by some 30 MB. Least squares over 8 minutes of such a sawtooth
 *   (samples every 10 s, any phase, periods up to 3 min) gives slopes within ±2.4 MB/min for the
 *   heap and ±1 MB/min for RSS, so 4 MB/min leaves a margin both ways. R² is printed beside: a
 *   leak's is near 1, a sawtooth's near 0.
 * - Handles and file descriptors, once the load stopped, every stream closed and idle keep-alive
 *   sockets timed out: back to their baseline (read idle after the warm-up) plus 2, within 30 s.
 *   The 2 allow for this runner's own /metrics scrape (its socket counts while it is answered) and
 *   an upstream socket the emulator has not yet timed out; a leak of one socket per abort or per
 *   stream would leave thousands. No subscription, poller or request may be left either.
 */
import { writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { median } from '../lib/median.ts';
import type { Mix } from '../lib/mix.ts';
import { revision } from '../lib/provenance.ts';
import { SOAK_HEADING, writeSection } from '../lib/sections.ts';
import type { Tally } from './answers.ts';
import { fit, type Fit } from './fit.ts';
import { plot } from './plot.ts';
import { LIVE_DOCUMENT } from './subscribers.ts';

export const SLOPE_FROM_MINUTE = 2;
export const RSS_SLOPE_MB_PER_MIN = 4;
export const HEAP_SLOPE_MB_PER_MIN = 4;
export const HANDLE_TOLERANCE = 2;
export const FD_TOLERANCE = 2;

export interface SoakSettings {
  minutes: number;
  connections: number;
  subscribers: number;
  mix: Mix;
  jobs: number;
  abortShare: number;
  faultShare: number;
  pollMs: number;
  lifeS: [number, number];
  rampS: number;
  sampleS: number;
  warmupS: number;
  settleS: number;
  returnS: number;
  pinned: boolean;
  machine: string;
}

/** One 10-s sample; rates over the 10 s before it. */
export interface Sample {
  minute: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  handles: number;
  /** The gateway's event-loop delay, p99 over the interval (prom-client resets it at each scrape). */
  lagP99Ms: number;
  reqPerS: number;
  abortedPerS: number;
  eventsPerS: number;
  upstreamPerS: number;
  /** Streams open at the clients; subscriptions and pollers the gateway counts. */
  subscribers: number;
  subscriptions: number;
  pollers: number;
  /** The gateway's CPU time per second (of one core); core 0 and core 1 busy shares (/proc/stat). */
  gatewayCpu: number;
  gatewayCore: number;
  otherCore: number;
  runnerLagP99Ms: number;
  /** Unexpected errors so far. */
  unexpected: number;
}

/** The gateway at rest: after the warm-up (the baseline) and after the run. */
export interface Idle {
  handles: number;
  fds: number;
  rssMb: number;
  heapMb: number;
  subscriptions: number;
  pollers: number;
  inFlight: number;
}

export interface SoakRun {
  settings: SoakSettings;
  samples: Sample[];
  baseline: Idle;
  /** The last idle reading after the run (undefined when the gateway was gone). */
  after: Idle | undefined;
  /** Seconds from the end of the load until back at the baseline; NaN when it never was. */
  returnS: number;
  peakRssMb: number;
  /** How the gateway ended: `exit 0` after our SIGTERM, or how it died. */
  exit: string;
  totals: { pages: number; faults: number; aborted: number; bytes: number; events: number; streamsOpened: number; streamsRetired: number; faultsInjected: number; upstream: number };
  unexpected: Tally;
  warnings: Tally;
  expected: Tally[];
  injected: Map<string, number>;
  notes: string[];
  totalS: number;
}

/** Within tolerance of the baseline, with nothing left open. */
export function settledBack(after: Idle, baseline: Idle): boolean {
  return after.handles <= baseline.handles + HANDLE_TOLERANCE && after.fds <= baseline.fds + FD_TOLERANCE &&
    after.subscriptions === 0 && after.pollers === 0 && after.inFlight <= baseline.inFlight;
}

const f = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const pct = (x: number) => `${Math.round(x * 100)}%`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const spread = (xs: number[], digits = 0) => `${f(median(xs), digits)} (${f(Math.min(...xs), digits)}–${f(Math.max(...xs), digits)})`;

/** The share of requests for perPage 1000. */
const largeShare = (m: Mix) =>
  (m.hotPerPage === 1000 ? m.hot : 0) + ((1 - m.hot) * m.coldPerPage.filter((p) => p === 1000).length) / m.coldPerPage.length;

interface Verdict {
  what: string;
  pass: boolean;
}

interface Analysis {
  rss: Fit;
  heap: Fit;
  verdicts: Verdict[];
  /** What a slope means per request, in bytes (at the median rate). */
  perRequest: (mbPerMin: number) => number;
}

function analyse(r: SoakRun): Analysis {
  const late = r.samples.filter((s) => s.minute >= SLOPE_FROM_MINUTE - 1e-6);
  const rss = fit(late.map((s) => [s.minute, s.rssMb]));
  const heap = fit(late.map((s) => [s.minute, s.heapMb]));
  const perMin = median(r.samples.map((s) => s.reqPerS)) * 60;
  const perRequest = (mbPerMin: number) => (mbPerMin * 2 ** 20) / perMin;
  const b = r.baseline;
  const a = r.after;
  const slope = (name: string, x: Fit, limit: number): Verdict => ({
    what: `${name} slope after minute ${SLOPE_FROM_MINUTE}: ${f(x.slope, 2)} MB/min (R² ${f(x.r2, 2)}, ${x.n} samples; ` +
      `${f(perRequest(x.slope))} bytes per request) against at most ${limit} MB/min`,
    pass: x.n >= 5 && x.slope <= limit,
  });
  const verdicts: Verdict[] = [
    { what: `unexpected errors: ${r.unexpected.total()}`, pass: r.unexpected.total() === 0 },
    slope('RSS', rss, RSS_SLOPE_MB_PER_MIN),
    slope('heap used', heap, HEAP_SLOPE_MB_PER_MIN),
    {
      what: a
        ? `handles back to the baseline: ${a.handles} after, ${b.handles} before (at most +${HANDLE_TOLERANCE}); ` +
          `file descriptors ${a.fds} after, ${b.fds} before (at most +${FD_TOLERANCE}); ` +
          `${a.subscriptions} subscriptions, ${a.pollers} pollers left, ${a.inFlight} request in flight (the scrape itself; ${b.inFlight} before); ` +
          (Number.isFinite(r.returnS) ? `back ${f(r.returnS)} s after the load stopped` : `not back within ${r.settings.returnS} s`)
        : 'handles back to the baseline: not measured, the gateway was gone',
      pass: a !== undefined && settledBack(a, b),
    },
    { what: `the gateway ran throughout and stopped cleanly on SIGTERM: ${r.exit}`, pass: r.exit === 'exit 0' },
  ];
  return { rss, heap, verdicts, perRequest };
}

const REVISION = revision(); // read at start-up, right after the build

function command(): string {
  const knobs = ['SOAK_MINUTES', 'SOAK_CONNECTIONS', 'SOAK_SUBSCRIBERS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `);
  return `${knobs.join('')}npm run soak`;
}

function summary(r: SoakRun, x: Analysis): string {
  const s = r.samples;
  const two = s.find((p) => p.minute >= SLOPE_FROM_MINUTE - 1e-6);
  const last = s.at(-1);
  const b = r.baseline;
  const a = r.after;
  const t = r.totals;
  const answered = t.pages + t.faults;
  const loadS = s.length * r.settings.sampleS;
  const rows = [
    ['RSS MB: idle after warm-up / at minute 2 / end of load / peak (VmHWM) / idle after', `${f(b.rssMb)} / ${f(two?.rssMb ?? NaN)} / ${f(last?.rssMb ?? NaN)} / ${f(r.peakRssMb)} / ${f(a?.rssMb ?? NaN)}`],
    ['heap used MB: idle after warm-up / samples median (min–max) / idle after', `${f(b.heapMb)} / ${spread(s.map((p) => p.heapMb))} / ${f(a?.heapMb ?? NaN)}`],
    ['RSS slope after minute 2 (MB/min, R²)', `${f(x.rss.slope, 2)} (R² ${f(x.rss.r2, 2)}) against ≤ ${RSS_SLOPE_MB_PER_MIN}`],
    ['heap slope after minute 2 (MB/min, R²)', `${f(x.heap.slope, 2)} (R² ${f(x.heap.r2, 2)}) against ≤ ${HEAP_SLOPE_MB_PER_MIN}`],
    ['file descriptors: baseline / max under load / after', `${b.fds} / ${Math.max(...s.map((p) => p.fds))} / ${a?.fds ?? '–'}`],
    ['active handles: baseline / max under load / after', `${b.handles} / ${Math.max(...s.map((p) => p.handles))} / ${a?.handles ?? '–'}`],
    ['gateway event-loop delay p99 ms, per 10 s: median (min–max)', spread(s.map((p) => p.lagP99Ms))],
    ['requests answered per second: median (min–max) of the 10-s samples', spread(s.map((p) => p.reqPerS))],
    ['requests answered (pages + upstream errors) / abandoned by their clients', `${answered} (${t.pages} + ${t.faults}) / ${t.aborted} (${pct(t.aborted / Math.max(1, answered + t.aborted))})`],
    ['upstream calls per second (queries, retries and polls), at the emulator', f(t.upstream / loadS)],
    ['faults injected (share of upstream calls)', `${t.faultsInjected} (${(100 * t.faultsInjected / Math.max(1, t.upstream)).toFixed(1)}%)`],
    ['live events delivered per second: median; streams opened / retired after their life', `${f(median(s.map((p) => p.eventsPerS)))}; ${t.streamsOpened} / ${t.streamsRetired}`],
    ['streams open / gateway subscriptions / pollers: median of samples', `${f(median(s.map((p) => p.subscribers)))} / ${f(median(s.map((p) => p.subscriptions)))} / ${f(median(s.map((p) => p.pollers)))}`],
    ['gateway CPU (of its core) / runner core busy: median', `${pct(median(s.map((p) => p.gatewayCpu)))} / ${pct(median(s.map((p) => p.otherCore)))}`],
    ['runner event-loop delay p99 ms: median (max)', `${f(median(s.map((p) => p.runnerLagP99Ms)))} (${f(Math.max(...s.map((p) => p.runnerLagP99Ms)))})`],
    ['unexpected errors', String(r.unexpected.total())],
  ];
  return `| measure | value |\n| --- | ---: |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`;
}

/** One row per whole minute: the sample at the minute's end, rates averaged over the minute. */
function perMinute(r: SoakRun): string {
  const rows: string[] = [];
  for (let m = 1; m <= r.settings.minutes; m++) {
    const inside = r.samples.filter((p) => p.minute > m - 1 + 1e-6 && p.minute <= m + 1e-6);
    const end = inside.at(-1);
    if (!end) continue;
    const mean = (k: keyof Sample) => sum(inside.map((p) => p[k] as number)) / inside.length;
    rows.push(`| ${m} | ${f(end.rssMb)} | ${f(end.heapMb)} | ${end.fds} | ${end.handles} | ${f(Math.max(...inside.map((p) => p.lagP99Ms)))} ` +
      `| ${f(mean('reqPerS'))} | ${f(mean('abortedPerS'), 1)} | ${f(mean('eventsPerS'))} | ${end.subscribers} / ${end.pollers} | ${pct(mean('gatewayCpu'))} | ${end.unexpected} |`);
  }
  return '| minute | RSS MB | heap used MB | fds | handles | loop delay p99 ms (max) | req/s | abandoned/s | events/s | streams / pollers | gateway CPU | unexpected so far |\n' +
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' + rows.join('\n') + '\n';
}

function outcomes(r: SoakRun): string {
  const expected = r.expected.flatMap((t) => t.lines());
  const injected = [...r.injected].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`);
  const list = (xs: string[]) => (xs.length ? xs.join('; ') : 'none');
  return [
    `- Unexpected: ${list(r.unexpected.lines(true))}`,
    `- Expected: ${list(expected)}`,
    `- Faults injected: ${list(injected)}`,
    `- Gateway warnings (level 40, by message): ${list(r.warnings.lines())}`,
  ].join('\n');
}

function section(r: SoakRun, x: Analysis, svgLink: string): string {
  const st = r.settings;
  return `${SOAK_HEADING}

Whether one gateway process stays healthy under sustained use: ${st.minutes} minutes at saturation with a realistic mix,
sampled every ${st.sampleS} s. Produced by \`npm run soak\` (bench/soak/run.ts; not part of \`npm test\`), which prints the
same figures and exits 1 when a verdict fails. Knobs: \`SOAK_MINUTES\` (10, at least 3), \`SOAK_CONNECTIONS\` (32),
\`SOAK_SUBSCRIBERS\` (1000), \`SOAK_OUT\` (the file for this section, default docs/benchmarks.md, with the plot in
docs/soak.svg; \`-\` writes none and puts the plot in the temporary folder).

- Command: \`${command()}\`; the runner took ${f(r.totalS)} s after the build
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; gateway revision ${REVISION}
- Machine: ${st.machine}
- Settings: the built gateway, NODE_ENV=production, LOG_LEVEL=warn, MODELARTS_AUTH=passthrough, the page cache off
  (the default), LIVE_POLL_MS ${st.pollMs}, LIVE_MAX_PER_CALLER ${Math.max(20, st.subscribers)}, every other variable its default;
  ${st.connections} connections; ${st.subscribers} subscribers; the emulator with \`generateJobs(${st.jobs}, 7)\`, moving once a second

${x.verdicts.map((v) => `- ${v.pass ? 'pass' : '**FAIL**'}: ${v.what}`).join('\n')}

![Gateway RSS and heap used (MB) and requests answered per second over the soak](${svgLink})

${summary(r, x)}
${perMinute(r)}
${outcomes(r)}

Method:

- ${st.pinned ? 'The gateway ran alone on core 0 (`taskset`); this runner, the emulator it holds and every client on core 1.' : '**No pinning** (taskset missing): gateway, emulator and clients shared both cores.'}
  A warm-up of ${st.warmupS} s (the same load, 100 short-lived streams) and ${st.settleS} s idle came first; the baseline
  (handles, fds) was read then.
- Queries: ${st.connections} keep-alive connections (undici), each sending the next request as soon as the last one ended:
  bench:fleet's seeded mix (bench/lib/mix.ts) over 20 credentials, ${pct(st.mix.hot)} hot argument sets at perPage ${st.mix.hotPerPage},
  the rest cold (any sort, a random page, a status filter or a name search) at perPage ${[...new Set(st.mix.coldPerPage)].join(' or ')}: about
  ${pct(largeShare(st.mix))} of requests ask for 1000 jobs (fewer come back when a filter matches fewer).
  ${pct(st.abortShare)} of requests are abandoned by their client, half at a random moment before the answer (within the
  recent latency of that page size), half once the headers arrived, before the body is read.
- Upstream faults (bench/soak/faults.ts): ${pct(st.faultShare)} of the emulator's calls, each fault for one call at a random
  moment: 500 with a ModelArts error body, 200 with HTML, a reset connection, a body cut short, 503 and 429 with API
  gateway error bodies, a 1.5 s delay, and rarely no answer within the 10 s deadline.
- Live: ${st.subscribers} SSE subscribers (POST /graphql, \`accept: text/event-stream\`, a socket each), opened over the first
  ${st.rampS} s, each living ${st.lifeS[0]}–${st.lifeS[1]} s before it hangs up and a fresh one opens, with one of the 20 credentials and one
  of four watched pages (the running jobs' first two pages, the default list, the newest jobs) or, for a tenth, one of
  pages 3–30 of the default list, whose pollers start and stop as subscribers come and go. The document is the query's:

  \`\`\`graphql
  ${LIVE_DOCUMENT}
  \`\`\`
- Unexpected errors: an HTTP status other than 200; a GraphQL error whose code an injected fault does not explain
  (UPSTREAM_ERROR, UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, and RATE_LIMITED with the upstream's 429 behind it); an answer
  that is not JSON or lacks the page; a request with no answer; a stream that ends other than after a first event with
  such an error, or that carries one after a page, or never sends a page; a gateway log line at level error or fatal;
  anything on the gateway's stderr; the gateway exiting.
- Samples every ${st.sampleS} s: RSS (VmRSS) and open file descriptors (/proc/<pid>/fd) from /proc; heap used
  (\`nodejs_heap_size_used_bytes\`), active handles (\`nodejs_active_handles_total\`), event-loop delay
  (\`nodejs_eventloop_lag_p99_seconds\`, since the previous scrape) and the live gauges from the gateway's /metrics;
  requests answered and events received at the clients.
- Thresholds (bench/soak/report.ts): RSS and heap used each grow at most ${RSS_SLOPE_MB_PER_MIN} MB/min after minute ${SLOPE_FROM_MINUTE} (least-squares
  slope over the samples). At about 300 requests a second, 1 KB kept per request would grow 18 MB/min, and 20 KB per stream
  (what an open one costs) some 20 MB/min at this churn; the line is about 230 bytes per request or 4 KB per stream. The
  garbage collector's sawtooth (heap used climbing some 80 MB and dropping every 1–2 minutes, RSS following by some 30 MB)
  moves a least-squares slope over 8 minutes by at most about 2.4 MB/min, whatever its phase. After the load, with every
  stream closed, handles and fds must be back to the baseline + ${HANDLE_TOLERANCE} (this runner's scrape, a keep-alive socket
  not yet timed out) within ${st.returnS} s, with no subscription, poller or request left; then SIGTERM must stop the gateway with exit 0.
${r.notes.length ? `\nNotes on this run:\n\n${r.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** What may make this run's figures say less than they seem to. */
function cautions(r: SoakRun, x: Analysis): string[] {
  const s = r.samples;
  const out: string[] = [];
  const window = (s.at(-1)?.minute ?? 0) - SLOPE_FROM_MINUTE;
  if (window < 5) {
    out.push(`the slopes cover ${window.toFixed(1)} min: too short to tell a leak from the garbage collector's sawtooth ` +
      '(its cycle is 1–2 minutes); take them from a run of 10 minutes.');
  }
  const gateway = median(s.map((p) => p.gatewayCpu));
  const other = median(s.map((p) => p.otherCore));
  if (gateway < 0.9) {
    out.push(`the gateway used ${pct(gateway)} of its core (median): not saturated` +
      (other > 0.9 ? `; the runner's core was ${pct(other)} busy, so the clients and the emulator set the pace.` : '.'));
  }
  const foreign = median(s.map((p) => p.gatewayCore - p.gatewayCpu));
  if (foreign > 0.1) out.push(`the gateway's core did ${pct(foreign)} other work (median): the machine was not quiet.`);
  if (x.rss.n < 5) out.push('fewer than 5 samples after minute 2: the slopes count as failed.');
  return out;
}

/** Prints the figures, writes the plot and (unless `out` is '-') the section; sets the exit code. */
export function report(r: SoakRun, out: string, svgPath: string, log: (line: string) => void): void {
  if (r.samples.length === 0) throw new Error(`no samples: the gateway ended ${r.exit}\n${r.unexpected.lines(true).join('\n')}`);
  const x = analyse(r);
  r.notes.push(...cautions(r, x));
  const late = r.samples.filter((s) => s.minute >= SLOPE_FROM_MINUTE - 1e-6);
  const last = r.samples.at(-1)?.minute ?? r.settings.minutes;
  const span = { from: late[0]?.minute ?? SLOPE_FROM_MINUTE, to: last };
  const title = `npm run soak: ${r.settings.minutes} min, ${r.settings.connections} connections, ${r.settings.subscribers} subscribers (${REVISION}, ${new Date().toISOString().slice(0, 10)})`;
  writeFileSync(svgPath, plot(title, [
    { label: `RSS: ${f(x.rss.slope, 2)} MB/min after minute ${SLOPE_FROM_MINUTE}`, color: '#1f77b4', points: r.samples.map((s) => [s.minute, s.rssMb]), fit: { line: x.rss, ...span } },
    { label: `heap used: ${f(x.heap.slope, 2)} MB/min after minute ${SLOPE_FROM_MINUTE}`, color: '#ff7f0e', points: r.samples.map((s) => [s.minute, s.heapMb]), fit: { line: x.heap, ...span } },
  ], [
    { label: 'requests answered per second', color: '#2ca02c', points: r.samples.map((s) => [s.minute, s.reqPerS]) },
  ], r.settings.minutes, SLOPE_FROM_MINUTE));
  log(`\n${summary(r, x)}\n${perMinute(r)}\n${outcomes(r)}\n`);
  for (const v of x.verdicts) log(`${v.pass ? 'pass' : 'FAIL'}: ${v.what}`);
  for (const n of r.notes) log(`note: ${n}`);
  log(`plot: ${svgPath}; total ${f(r.totalS)} s`);
  if (out !== '-') {
    writeSection(out, SOAK_HEADING, section(r, x, relative(dirname(out), svgPath)));
    log(`written: ${out}`);
  }
  if (!x.verdicts.every((v) => v.pass)) process.exitCode = 1;
}
