/**
 * The status-group part of npm run bench (docs/status-groups.md): a `statusGroup: FAILED` page (9
 * branches) and `trainingJobCounts` (24 calls), next to the single-status page they are built of,
 * at perPage 10 and 100, with the page cache off and at 5 s. Per case: req/s, the gateway's CPU
 * per request and per upstream call, upstream calls per request (counted by the stub) and p99.
 * The goal: a group page costs at most its branch count in calls, and at most 2x the CPU of the
 * single-status page per upstream call it makes. With BENCH_BASELINE, that build answers every
 * case too, in interleaved rounds, and each row says which build it is.
 */
import { stop, type Child } from '../lib/proc.ts';
import { median } from '../lib/median.ts';
import { GROUPS_HEADING } from '../lib/sections.ts';
import { ask, measureLoad, startGateway, stubCalls } from './probe.ts';
import { SYSTEMS } from './systems.ts';

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
  /** `gateway`, or `baseline` (BENCH_BASELINE). */
  build: string;
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

export async function benchGroups(upstream: string, s: GroupSettings, log: (line: string) => void): Promise<{ section: string; notes: string[] }> {
  const results: Measured[] = [];
  const builds = SYSTEMS['baseline'] ? ['gateway', 'baseline'] : ['gateway'];
  for (const ttlMs of TTLS) {
    const running: Array<{ build: string; child: Child; url: string }> = [];
    try {
      for (const build of builds) {
        const ready = JSON.stringify({ query: '{ trainingJobCounts { total } }' });
        running.push({ build, ...(await startGateway(`${build}-cache-${ttlMs}`, upstream, { CACHE_TTL_MS: String(ttlMs) }, s.serverCore, ready, build)) });
      }
      for (const c of CASES) {
        for (const perPage of c.sized ? SIZES : [undefined]) {
          const body = JSON.stringify({ query: c.query(perPage ?? 0) });
          const calls = new Map<string, number>();
          for (const { build, child, url } of running) {
            const calls0 = await stubCalls(upstream);
            for (let i = 0; i < SEQUENTIAL; i++) {
              const answer = await ask(url, body);
              if (answer.errors !== undefined || answer.data === undefined) throw new Error(`${build}, ${c.name}: ${JSON.stringify(answer.errors)}`);
            }
            calls.set(build, ((await stubCalls(upstream)) - calls0) / SEQUENTIAL);
            await measureLoad(child, url, body, 1, s.connections, s.loadCore);
          }
          const rounds = new Map<string, Array<{ reqPerS: number; cpuMsPerReq: number; p99: number }>>(builds.map((b) => [b, []]));
          for (let round = 0; round < s.rounds; round++) {
            for (const { build, child, url } of running) rounds.get(build)!.push(await measureLoad(child, url, body, s.durationS, s.connections, s.loadCore));
          }
          for (const build of builds) {
            const of = rounds.get(build)!;
            const m: Measured = {
              build, case: c.name, perPage, ttlMs,
              reqPerS: median(of.map((r) => r.reqPerS)),
              cpuMsPerReq: median(of.map((r) => r.cpuMsPerReq)),
              callsPerReq: calls.get(build)!,
              p99: median(of.map((r) => r.p99)),
            };
            results.push(m);
            log(`  groups: ${build}, cache ${ttlMs} ms, ${c.name}${perPage ? `, perPage ${perPage}` : ''}: ${m.reqPerS.toFixed(0)} req/s, ` +
              `${m.cpuMsPerReq.toFixed(3)} ms CPU/req, ${m.callsPerReq.toFixed(2)} calls/req, p99 ${m.p99} ms`);
          }
        }
      }
    } finally {
      for (const r of running) await stop(r.child);
    }
  }
  return report(results, s);
}

function report(results: Measured[], s: GroupSettings): { section: string; notes: string[] } {
  // Only where every request makes its calls: with the cache on, CPU per call means nothing.
  const perCall = (m: Measured) => (m.ttlMs === 0 && m.callsPerReq > 0 ? `${((m.cpuMsPerReq / m.callsPerReq) * 1000).toFixed(0)}` : '-');
  const withBaseline = results.some((m) => m.build === 'baseline');
  const buildCell = (m: Measured) => (withBaseline ? `| ${m.build === 'baseline' ? (SYSTEMS['baseline']?.label ?? 'baseline') : 'gateway'} ` : '');
  const rows = results.map((m) =>
    `${buildCell(m)}| ${m.case} | ${m.perPage ?? '-'} | ${m.ttlMs} | ${m.reqPerS.toFixed(0)} | ${m.cpuMsPerReq.toFixed(3)} | ${m.callsPerReq.toFixed(2)} | ${perCall(m)} | ${m.p99} |`);
  const verdicts: string[] = [];
  const ours = results.filter((m) => m.build === 'gateway');
  for (const perPage of SIZES) {
    const single = ours.find((m) => m.ttlMs === 0 && m.perPage === perPage && m.case.startsWith('one status'));
    const group = ours.find((m) => m.ttlMs === 0 && m.perPage === perPage && m.case.startsWith('statusGroup'));
    if (!single || !group) continue;
    const ratio = group.cpuMsPerReq / group.callsPerReq / (single.cpuMsPerReq / single.callsPerReq);
    verdicts.push(`- perPage ${perPage}, cache off: the group page made ${group.callsPerReq.toFixed(2)} upstream calls per request ` +
      `(goal: at most 9: ${group.callsPerReq <= 9 ? 'met' : '**not met**'}); its CPU per upstream call was ${ratio.toFixed(2)}x ` +
      `the single-status page's (goal: at most 2x: ${ratio <= 2 ? 'met' : '**not met**'}).`);
  }
  // The same case on the baseline build: this build's CPU per request over the baseline's.
  for (const m of withBaseline ? ours : []) {
    const base = results.find((b) => b.build === 'baseline' && b.case === m.case && b.perPage === m.perPage && b.ttlMs === m.ttlMs);
    if (base) verdicts.push(`- against the baseline, ${m.case}${m.perPage ? `, perPage ${m.perPage}` : ''}, cache ${m.ttlMs} ms: ${(m.cpuMsPerReq / base.cpuMsPerReq).toFixed(2)}x its CPU per request.`);
  }
  const section = `${GROUPS_HEADING}

What a job list's chips cost (docs/status-groups.md): a \`statusGroup: FAILED\` page merges 9 branches,
\`trainingJobCounts\` makes 24 calls, each next to the single-status page it is built of. The gateway
alone on core ${s.serverCore}; the stub (which counts the calls it serves) and autocannon on core ${s.loadCore};
${s.connections} connections, ${s.rounds} round(s) of ${s.durationS} s per case after 1 s of warm-up, medians. CPU is the
gateway process's, under load${withBaseline ? '; with BENCH_BASELINE its build answers every case too, in interleaved rounds' : ''}. Upstream calls per request are exact: counted by the stub over ${SEQUENTIAL}
requests sent one at a time before the load; "µs CPU per call" divides the CPU by them (cache off
only). With the cache at 5000 ms the same request repeats, so nearly every page comes from memory.

${withBaseline ? '| build ' : ''}| case | perPage | cache (ms) | req/s | ms CPU/req | upstream calls/req | µs CPU per call | p99 (ms) |
${withBaseline ? '| --- ' : ''}| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

${verdicts.join('\n')}
`;
  return { section, notes: [] };
}
