/**
 * The status-group part of npm run bench (docs/status-groups.md): a `statusGroup: FAILED` page (9
 * branches) and `trainingJobCounts` (24 calls), next to the single-status page they are built of,
 * at perPage 10 and 100, with the page cache off and at 5 s. Per case: req/s, the gateway's CPU
 * per request and per upstream call, upstream calls per request (counted by the stub) and p99.
 * The goal: a group page costs at most its branch count in calls, and at most 2x the CPU of the
 * single-status page per upstream call it makes.
 */
import { join } from 'node:path';
import { cpuMs, freePort, runNode, startNode, stop, type Child } from '../lib/proc.ts';
import { median } from '../lib/median.ts';
import { GROUPS_HEADING } from '../lib/sections.ts';
import type { LoadResult } from './load.ts';
import { TOKEN } from './shape.ts';
import { QUERY_DIST, SYSTEMS } from './systems.ts';

const JOB = 'jobs { id name status statusCode statusGroup createdAt duration }';
const CASES = [
  { name: 'one status (FAILED)', query: (n: number) => `{ trainingJobs(status: FAILED, perPage: ${n}) { totalCount ${JOB} } }`, sized: true },
  { name: 'statusGroup FAILED (9 codes)', query: (n: number) => `{ trainingJobs(statusGroup: FAILED, perPage: ${n}) { totalCount ${JOB} } }`, sized: true },
  { name: 'trainingJobCounts', query: () => '{ trainingJobCounts { total byGroup { group count } byStatus { statusCode count } } }', sized: false },
] as const;
const SIZES = [10, 100];
const TTLS = [0, 5000];

export interface GroupSettings {
  durationS: number;
  rounds: number;
  connections: number;
  serverCore: number;
  loadCore: number;
}

interface Measured {
  case: string;
  perPage: number | undefined;
  ttlMs: number;
  reqPerS: number;
  cpuMsPerReq: number;
  /** Exact: counted over SEQUENTIAL requests sent one at a time (a load's edges would blur it). */
  callsPerReq: number;
  p99: number;
}

const SEQUENTIAL = 50;

const stubCalls = async (upstream: string) => ((await (await fetch(`${upstream}/calls`)).json()) as { calls: number }).calls;

async function ask(url: string, query: string): Promise<{ errors?: unknown; data?: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN }, body: JSON.stringify({ query }) });
  return (await res.json()) as { errors?: unknown; data?: Record<string, unknown> };
}

async function startGateway(upstream: string, ttlMs: number, core: number): Promise<{ child: Child; url: string }> {
  const gateway = SYSTEMS['gateway']!;
  const port = await freePort();
  const child = startNode(`gateway-cache-${ttlMs}`, core, gateway.script, [], { ...gateway.env(port, upstream), CACHE_TTL_MS: String(ttlMs) });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    try {
      if ((await ask(url, '{ trainingJobCounts { total } }')).data) return { child, url };
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error(`gateway (CACHE_TTL_MS=${ttlMs}) did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function benchGroups(upstream: string, s: GroupSettings, log: (line: string) => void): Promise<{ section: string; notes: string[] }> {
  const results: Measured[] = [];
  for (const ttlMs of TTLS) {
    const { child, url } = await startGateway(upstream, ttlMs, s.serverCore);
    try {
      for (const c of CASES) {
        for (const perPage of c.sized ? SIZES : [undefined]) {
          const query = c.query(perPage ?? 0);
          const calls0 = await stubCalls(upstream);
          for (let i = 0; i < SEQUENTIAL; i++) {
            const answer = await ask(url, query);
            if (answer.errors !== undefined || answer.data === undefined) throw new Error(`${c.name}: ${JSON.stringify(answer.errors)}`);
          }
          const callsPerReq = ((await stubCalls(upstream)) - calls0) / SEQUENTIAL;
          const body = JSON.stringify({ query });
          const run = (seconds: number) =>
            runNode<LoadResult>('autocannon', s.loadCore, join(QUERY_DIST, 'load.js'), [JSON.stringify({ url, connections: s.connections, seconds, body })]);
          await run(1);
          const rounds: Measured[] = [];
          for (let round = 0; round < s.rounds; round++) {
            const cpu0 = cpuMs(child.pid);
            const load = await run(s.durationS);
            const cpu1 = cpuMs(child.pid);
            if (load.ok === 0 || load.non2xx > 0 || load.errors > 0) throw new Error(`${c.name}: ${load.non2xx} non-2xx, ${load.errors} errors under load`);
            rounds.push({ case: c.name, perPage, ttlMs, reqPerS: load.ok / load.seconds, cpuMsPerReq: (cpu1 - cpu0) / load.requests, callsPerReq, p99: load.p99 });
          }
          const m: Measured = {
            case: c.name, perPage, ttlMs,
            reqPerS: median(rounds.map((r) => r.reqPerS)),
            cpuMsPerReq: median(rounds.map((r) => r.cpuMsPerReq)),
            callsPerReq,
            p99: median(rounds.map((r) => r.p99)),
          };
          results.push(m);
          log(`  groups: cache ${ttlMs} ms, ${c.name}${perPage ? `, perPage ${perPage}` : ''}: ${m.reqPerS.toFixed(0)} req/s, ` +
            `${m.cpuMsPerReq.toFixed(3)} ms CPU/req, ${m.callsPerReq.toFixed(2)} calls/req, p99 ${m.p99} ms`);
        }
      }
    } finally {
      await stop(child);
    }
  }
  return report(results, s);
}

function report(results: Measured[], s: GroupSettings): { section: string; notes: string[] } {
  // Only where every request makes its calls: with the cache on, CPU per call means nothing.
  const perCall = (m: Measured) => (m.ttlMs === 0 && m.callsPerReq > 0 ? `${((m.cpuMsPerReq / m.callsPerReq) * 1000).toFixed(0)}` : '-');
  const rows = results.map((m) =>
    `| ${m.case} | ${m.perPage ?? '-'} | ${m.ttlMs} | ${m.reqPerS.toFixed(0)} | ${m.cpuMsPerReq.toFixed(3)} | ${m.callsPerReq.toFixed(2)} | ${perCall(m)} | ${m.p99} |`);
  const verdicts: string[] = [];
  for (const perPage of SIZES) {
    const single = results.find((m) => m.ttlMs === 0 && m.perPage === perPage && m.case.startsWith('one status'));
    const group = results.find((m) => m.ttlMs === 0 && m.perPage === perPage && m.case.startsWith('statusGroup'));
    if (!single || !group) continue;
    const ratio = group.cpuMsPerReq / group.callsPerReq / (single.cpuMsPerReq / single.callsPerReq);
    verdicts.push(`- perPage ${perPage}, cache off: the group page made ${group.callsPerReq.toFixed(2)} upstream calls per request ` +
      `(goal: at most 9: ${group.callsPerReq <= 9 ? 'met' : '**not met**'}); its CPU per upstream call was ${ratio.toFixed(2)}x ` +
      `the single-status page's (goal: at most 2x: ${ratio <= 2 ? 'met' : '**not met**'}).`);
  }
  const section = `${GROUPS_HEADING}

What a job list's chips cost (docs/status-groups.md): a \`statusGroup: FAILED\` page merges 9 branches,
\`trainingJobCounts\` makes 24 calls, each next to the single-status page it is built of. The gateway
alone on core ${s.serverCore}; the stub (which counts the calls it serves) and autocannon on core ${s.loadCore};
${s.connections} connections, ${s.rounds} round(s) of ${s.durationS} s per case after 1 s of warm-up, medians. CPU is the
gateway process's, under load. Upstream calls per request are exact: counted by the stub over ${SEQUENTIAL}
requests sent one at a time before the load; "µs CPU per call" divides the CPU by them (cache off
only). With the cache at 5000 ms the same request repeats, so nearly every page comes from memory.

| case | perPage | cache (ms) | req/s | ms CPU/req | upstream calls/req | µs CPU per call | p99 (ms) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

${verdicts.join('\n')}
`;
  return { section, notes: [] };
}
