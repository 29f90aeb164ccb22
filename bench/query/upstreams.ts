/**
 * The v1-next-to-v2 part of npm run bench (docs/upstream-versions.md): the bench's one query at
 * perPage 10 and 1000, asked of the gateway on MODELARTS_API=v1 and on v2 against the same stub
 * jobs, in interleaved rounds. Per upstream and page size: req/s, the gateway's CPU per request,
 * upstream calls per request (counted by the stub) and p99. The goal: on v2 at most 1.1x v1's
 * CPU per request at perPage 10 (one call each), at most 1.3x at perPage 1000 (v2's 20 calls of
 * 50 jobs against v1's one of 1000).
 */
import { median } from '../lib/median.ts';
import { stop, type Child } from '../lib/proc.ts';
import { UPSTREAMS_HEADING } from '../lib/sections.ts';
import { ask, measureLoad, startGateway, stubCalls, type Measured, type PartSettings } from './probe.ts';
import { requestBody } from './shape.ts';

const APIS = ['v1', 'v2'] as const;
const GOAL: Record<number, number> = { 10: 1.1, 1000: 1.3 };
const SEQUENTIAL = 20;
const PRIME_S = 5;

export type UpstreamSettings = PartSettings;

interface Row extends Measured {
  api: (typeof APIS)[number];
  perPage: number;
  callsPerReq: number;
}

export async function benchUpstreams(upstream: string, s: UpstreamSettings, log: (line: string) => void): Promise<{ section: string; notes: string[] }> {
  const rows: Row[] = [];
  for (const perPage of s.sizes) {
    const body = requestBody(perPage);
    const running: Array<{ api: (typeof APIS)[number]; child: Child; url: string; callsPerReq: number; rounds: Measured[] }> = [];
    try {
      for (const api of APIS) {
        const { child, url } = await startGateway(`gateway-${api}`, upstream, { MODELARTS_API: api }, s.serverCore, requestBody(10));
        const calls0 = await stubCalls(upstream);
        for (let i = 0; i < SEQUENTIAL; i++) {
          const answer = await ask(url, body);
          const jobs = answer.data?.['trainingJobs']?.jobs as unknown[] | undefined;
          if (answer.errors !== undefined || jobs?.length !== perPage) throw new Error(`${api}, perPage ${perPage}: ${JSON.stringify(answer.errors ?? answer.data).slice(0, 300)}`);
        }
        const callsPerReq = ((await stubCalls(upstream)) - calls0) / SEQUENTIAL;
        running.push({ api, child, url, callsPerReq, rounds: [] });
      }
      // Each primed once, as the main tables do: a fresh process tiers its code up for a while.
      for (const r of running) await measureLoad(r.child, r.url, body, PRIME_S, s.connections, s.loadCore);
      for (let round = 1; round <= s.rounds; round++) {
        for (const r of running) {
          await measureLoad(r.child, r.url, body, 1, s.connections, s.loadCore);
          const m = await measureLoad(r.child, r.url, body, s.durationS, s.connections, s.loadCore);
          r.rounds.push(m);
          log(`  upstreams: round ${round}/${s.rounds} ${r.api} perPage ${perPage}: ${m.reqPerS.toFixed(0)} req/s, ${m.cpuMsPerReq.toFixed(3)} ms CPU/req, ` +
            `${r.callsPerReq.toFixed(2)} calls/req, p99 ${m.p99} ms`);
        }
      }
      for (const r of running) {
        rows.push({
          api: r.api, perPage, callsPerReq: r.callsPerReq,
          reqPerS: median(r.rounds.map((m) => m.reqPerS)),
          cpuMsPerReq: median(r.rounds.map((m) => m.cpuMsPerReq)),
          p99: median(r.rounds.map((m) => m.p99)),
        });
      }
    } finally {
      for (const r of running) await stop(r.child);
    }
  }
  return report(rows, s);
}

function report(rows: Row[], s: UpstreamSettings): { section: string; notes: string[] } {
  const lines = rows.map((r) => `| ${r.api} | ${r.perPage} | ${r.reqPerS.toFixed(0)} | ${r.cpuMsPerReq.toFixed(3)} | ${r.callsPerReq.toFixed(2)} | ${r.p99} |`);
  const verdicts = s.sizes.flatMap((perPage) => {
    const [v1, v2] = APIS.map((api) => rows.find((r) => r.api === api && r.perPage === perPage));
    if (!v1 || !v2) return [];
    const ratio = v2.cpuMsPerReq / v1.cpuMsPerReq;
    const goal = GOAL[perPage] ?? NaN;
    return [`- perPage ${perPage}: v2 ${v2.callsPerReq.toFixed(2)} upstream calls per request, v1 ${v1.callsPerReq.toFixed(2)}; v2's CPU per request ` +
      `${ratio.toFixed(2)}x v1's (goal: at most ${goal}x: ${ratio <= goal ? 'met' : '**not met**'}); req/s ${(v2.reqPerS / v1.reqPerS).toFixed(2)}x.`];
  });
  const section = `${UPSTREAMS_HEADING}

The gateway on ModelArts v2 (\`POST /v2/{project_id}/training-job-searches\`) next to v1, on the same
stub jobs (docs/upstream-versions.md): the bench's one query (every field of a job) at each page size,
v2 newest first, v1 by name. On v2 a page of more than 50 jobs is read in 50-job calls, 8 at a time.
Each gateway alone on core ${s.serverCore}, the stub and autocannon on core ${s.loadCore}; ${s.connections} connections,
primed ${PRIME_S} s, then ${s.rounds} interleaved round(s) of ${s.durationS} s after 1 s of warm-up each, medians. CPU is the
gateway process's; upstream calls per request are exact, counted by the stub over ${SEQUENTIAL} requests sent
one at a time.

| upstream | perPage | req/s | ms CPU/req | upstream calls/req | p99 (ms) |
| --- | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}

${verdicts.join('\n')}
`;
  return { section, notes: [] };
}
