/**
 * From measured rounds to the tables: medians over rounds (robust to one noisy round), CPU per
 * request over all rounds, and every ratio against the floor of the same run.
 */
import { median } from '../lib/median.ts';
import type { LoadResult } from './load.ts';

export interface Round {
  load: LoadResult;
  /** Server CPU time (user + system) during the measured run, ms. */
  cpuMs: number;
  /** Share of the server's core / the load core busy during the run, 0..1. */
  serverCore: number;
  loadCore: number;
  /** Share of the server's core busy with anything but the server (interrupts, other processes). */
  otherOnServerCore: number;
}

export interface SystemRun {
  system: string;
  label: string;
  rounds: Round[];
  peakRssMb: number;
  startupMs: number[];
}

export interface Row {
  system: string;
  label: string;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  cpuPerReq: number;
  /** Bytes received per answer, headers included (compressed for the gateway-gzip/-br systems). */
  bytesPerAnswer: number;
  peakRssMb: number;
  startupMs: number;
  serverCore: number;
  loadCore: number;
  otherOnServerCore: number;
  /** Errors, timeouts and non-2xx answers over all rounds. */
  failed: number;
}

export { median };

export function toRow(run: SystemRun): Row {
  const r = run.rounds;
  // Only 2xx answers count as served; failures are reported separately.
  const rps = r.map((x) => x.load.ok / x.load.seconds);
  return {
    system: run.system,
    label: run.label,
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50: median(r.map((x) => x.load.p50)),
    p99: median(r.map((x) => x.load.p99)),
    cpuPerReq: median(r.map((x) => x.cpuMs / x.load.requests)),
    bytesPerAnswer: median(r.map((x) => x.load.bytes / x.load.requests)),
    peakRssMb: run.peakRssMb,
    startupMs: median(run.startupMs),
    serverCore: median(r.map((x) => x.serverCore)),
    loadCore: median(r.map((x) => x.loadCore)),
    otherOnServerCore: median(r.map((x) => x.otherOnServerCore)),
    failed: r.reduce((sum, x) => sum + x.load.errors + x.load.timeouts + x.load.non2xx, 0),
  };
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (n: number, floor: number | undefined) => (floor && Number.isFinite(n) ? `${(n / floor).toFixed(2)}×` : '–');
const pct = (n: number) => `${Math.round(n * 100)}%`;

/** One markdown table for a page size. */
export function table(rows: Row[]): string {
  const floor = rows.find((r) => r.system === 'floor');
  const head =
    '| system | req/s: median (min–max) | req/s ÷ floor | p50 ms | p99 ms | CPU ms/req | CPU ÷ floor | bytes/answer | peak RSS MB | start-up ms | server core busy | load core busy |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  return head + rows.map((r) => `| ${r.label} | ${fixed(r.rps, 0)} (${fixed(r.rpsMin, 0)}–${fixed(r.rpsMax, 0)}) | ${ratio(r.rps, floor?.rps)} | ${fixed(r.p50, 1)} | ` +
    `${fixed(r.p99, 1)} | ${fixed(r.cpuPerReq, 3)} | ${ratio(r.cpuPerReq, floor?.cpuPerReq)} | ${fixed(r.bytesPerAnswer, 0)} | ${fixed(r.peakRssMb, 0)} | ` +
    `${fixed(r.startupMs, 0)} | ${pct(r.serverCore)} | ${pct(r.loadCore)} |`).join('\n') + '\n';
}

/** Warnings a reader needs next to the numbers. */
export function caveats(size: number, rows: Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.failed > 0) out.push(`perPage ${size}, ${r.label}: ${r.failed} requests failed (errors, timeouts after 60 s, or non-2xx).`);
    if (r.otherOnServerCore > 0.1) {
      out.push(`perPage ${size}, ${r.label}: ${pct(r.otherOnServerCore)} of the server's core went to other work ` +
        '(interrupts, or processes not part of the bench): the machine was not quiet.');
    }
    if (r.loadCore > 0.9 && r.serverCore < 0.9) {
      out.push(`perPage ${size}, ${r.label}: the load core was ${pct(r.loadCore)} busy while the server's was ` +
        `${pct(r.serverCore)}: the load generator and stub, not the server, set this rate; it is a lower bound.`);
    }
  }
  return out;
}
