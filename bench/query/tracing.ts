/**
 * The tracing part of npm run bench (docs/tracing.md): the bench's one query at each page size, on
 * v1 and on v2, asked of three gateways in interleaved rounds: BENCH_BASELINE's build (the commit
 * before tracing; without it this part says so and compares against tracing off), this build with
 * tracing off, and this build sampling every request (OTEL_TRACES_SAMPLER=always_on) and exporting
 * over OTLP/HTTP protobuf to a receiver on loopback that takes every span. Per row: req/s, the
 * gateway's CPU per request, and the ratio to its reference. The goals: tracing off costs nothing
 * measurable against the baseline; tracing on costs at most 10 % of a request's CPU at perPage 10.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median } from '../lib/median.ts';
import { stop, type Child } from '../lib/proc.ts';
import { TRACING_HEADING } from '../lib/sections.ts';
import { ask, measureLoad, startGateway, type Measured, type PartSettings } from './probe.ts';
import { requestBody } from './shape.ts';
import { SYSTEMS } from './systems.ts';

const APIS = ['v1', 'v2'] as const;
const PRIME_S = 5;
const GOAL_ON = 1.1;

export type TracingSettings = PartSettings;

type Variant = 'baseline' | 'off' | 'on';

interface Row extends Measured {
  api: (typeof APIS)[number];
  perPage: number;
  variant: Variant;
}

/** A collector that takes everything: counts the exports and their bytes, answers 200 at once. */
async function startReceiver() {
  const counts = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (counts.bytes += chunk.length));
    req.on('end', () => {
      counts.exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, counts, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function benchTracing(upstream: string, s: TracingSettings, log: (line: string) => void): Promise<{ section: string; notes: string[] }> {
  const receiver = await startReceiver();
  const withBaseline = SYSTEMS['baseline'] !== undefined;
  const variants: Variant[] = withBaseline ? ['baseline', 'off', 'on'] : ['off', 'on'];
  const rows: Row[] = [];
  try {
    for (const api of APIS) {
      for (const perPage of s.sizes) {
        const body = requestBody(perPage);
        const running: Array<{ variant: Variant; child: Child; url: string; rounds: Measured[] }> = [];
        try {
          for (const variant of variants) {
            const env: Record<string, string> = { MODELARTS_API: api };
            if (variant === 'on') Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_on' });
            const build = variant === 'baseline' ? 'baseline' : 'gateway';
            const started = await startGateway(`tracing-${variant}-${api}`, upstream, env, s.serverCore, requestBody(10), build);
            const answer = await ask(started.url, body);
            if (answer.errors !== undefined) throw new Error(`${variant} on ${api}: ${JSON.stringify(answer.errors).slice(0, 300)}`);
            running.push({ variant, ...started, rounds: [] });
          }
          for (const r of running) await measureLoad(r.child, r.url, body, PRIME_S, s.connections, s.loadCore);
          const exports0 = receiver.counts.exports;
          for (let round = 1; round <= s.rounds; round++) {
            for (const r of running) {
              await measureLoad(r.child, r.url, body, 1, s.connections, s.loadCore);
              const m = await measureLoad(r.child, r.url, body, s.durationS, s.connections, s.loadCore);
              r.rounds.push(m);
              log(`  tracing: round ${round}/${s.rounds} ${api} perPage ${perPage} ${r.variant.padEnd(8)}: ${m.reqPerS.toFixed(0)} req/s, ${m.cpuMsPerReq.toFixed(3)} ms CPU/req, p99 ${m.p99} ms`);
            }
          }
          // Tracing on must have exported for real, or its row would measure nothing.
          if (receiver.counts.exports === exports0) throw new Error(`tracing on (${api}, perPage ${perPage}) exported nothing`);
          for (const r of running) {
            rows.push({
              api, perPage, variant: r.variant,
              reqPerS: median(r.rounds.map((m) => m.reqPerS)),
              cpuMsPerReq: median(r.rounds.map((m) => m.cpuMsPerReq)),
              p99: median(r.rounds.map((m) => m.p99)),
            });
          }
        } finally {
          for (const r of running) await stop(r.child);
        }
      }
    }
  } finally {
    await receiver.close();
  }
  return report(rows, s, withBaseline, receiver.counts);
}

const LABEL: Record<Variant, string> = { baseline: 'baseline (BENCH_BASELINE), tracing off', off: 'this build, tracing off', on: 'this build, every request sampled' };

function report(rows: Row[], s: TracingSettings, withBaseline: boolean, counts: { exports: number; bytes: number }): { section: string; notes: string[] } {
  const find = (api: string, perPage: number, variant: Variant) => rows.find((r) => r.api === api && r.perPage === perPage && r.variant === variant);
  const lines = rows.map((r) => {
    const off = find(r.api, r.perPage, 'off')!;
    const base = find(r.api, r.perPage, 'baseline');
    const vsBase = base === undefined || r.variant === 'baseline' ? '' : `${(r.cpuMsPerReq / base.cpuMsPerReq).toFixed(2)}x`;
    const vsOff = r.variant === 'on' ? `${(r.cpuMsPerReq / off.cpuMsPerReq).toFixed(2)}x` : '';
    return `| ${r.api} | ${r.perPage} | ${LABEL[r.variant]} | ${r.reqPerS.toFixed(0)} | ${r.cpuMsPerReq.toFixed(3)} | ${vsBase} | ${vsOff} | ${r.p99} |`;
  });
  const verdicts = APIS.flatMap((api) =>
    s.sizes.flatMap((perPage) => {
      const [base, off, on] = (['baseline', 'off', 'on'] as const).map((v) => find(api, perPage, v));
      if (off === undefined || on === undefined) return [];
      const onRatio = on.cpuMsPerReq / off.cpuMsPerReq;
      const goalOn = perPage === 10 ? ` (goal at perPage 10: at most ${GOAL_ON}x: ${onRatio <= GOAL_ON ? 'met' : '**not met**'})` : '';
      const offText = base === undefined ? '' : `tracing off ${(off.cpuMsPerReq / base.cpuMsPerReq).toFixed(2)}x the baseline's CPU per request, req/s ${(off.reqPerS / base.reqPerS).toFixed(2)}x; `;
      return [`- ${api}, perPage ${perPage}: ${offText}every request sampled ${onRatio.toFixed(2)}x tracing off's CPU per request${goalOn}, req/s ${(on.reqPerS / off.reqPerS).toFixed(2)}x.`];
    }),
  );
  const section = `${TRACING_HEADING}

What tracing costs (docs/tracing.md): the bench's one query (every field of a job) at each page size, on
v1 and on v2, asked of ${withBaseline ? 'the previous build (BENCH_BASELINE), which has no tracing, ' : ''}this build with tracing off, and this build
sampling every request (\`OTEL_TRACES_SAMPLER=always_on\`) and exporting over OTLP/HTTP protobuf to a loopback
receiver that takes every span (${counts.exports} exports, ${(counts.bytes / 1e6).toFixed(1)} MB over the run). A sampled request makes a SERVER
span, an operation span and a CLIENT span per upstream call (1 on v1; on v2 1 at perPage 10, 20 at perPage 1000).
Each gateway alone on core ${s.serverCore}, the stub, the receiver and autocannon on core ${s.loadCore}; ${s.connections} connections, primed
${PRIME_S} s, then ${s.rounds} interleaved round(s) of ${s.durationS} s after 1 s of warm-up each, medians. CPU is the gateway process's.

| upstream | perPage | gateway | req/s | ms CPU/req | CPU vs baseline | CPU vs tracing off | p99 (ms) |
| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}

${verdicts.join('\n')}
`;
  return { section, notes: [] };
}
