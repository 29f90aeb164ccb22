/**
 * npm run bench:fleet's figures: upstream calls per 1,000 requests by replicas (part 1), the
 * throughput cost of Redis on one replica (part 2), the checks that say whether the numbers make
 * sense, and the "Scale-out" section of docs/benchmarks.md, replaced in place.
 */
import { median } from '../lib/median.ts';
import { DOCUMENT, HOT_SETS, CALLERS, jobsFor, type Mix } from '../lib/mix.ts';
import { machine, revision } from '../lib/provenance.ts';
import { FLEET_HEADING, writeSection } from '../lib/sections.ts';
import type { RedisTraffic } from './redis.ts';

export const SYSTEM_IDS = ['a', 'b', 'c0', 'c1'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

export interface FleetSettings {
  requests: number;
  repeats: number;
  replicas: number[];
  connections: number;
  tputConnections: number;
  ttlMs: number;
  hot: number;
  fillMix: Mix;
  sizes: number[];
  rounds: number;
  seconds: number;
  warmupS: number;
  primeS: number;
  rateLimit: number;
  /** REDIS_TIMEOUT_MS given to every gateway; undefined: the gateway's default (250). */
  redisTimeoutMs: number | undefined;
  pinned: boolean;
  redisVersion: string;
}

/** Part 1: one configuration's run over the seeded sequence. */
export interface FillResult {
  replicas: number;
  shared: boolean;
  repeat: number;
  requests: number;
  seconds: number;
  /** Upstream calls the emulator received, and how many distinct (credential, query) among them. */
  calls: number;
  distinctCalled: number;
  /** gateway_upstream_calls_total{outcome="ok"}, summed over the replicas. */
  gatewayCalls: number;
  memoryHits: number;
  memoryLookups: number;
  redisHits: number;
  redisLookups: number;
  redisErrors: number;
  /** Commands the replicas sent Redis during the run. */
  redis: RedisTraffic;
  /** Times a replica marked Redis down (a command over REDIS_TIMEOUT_MS), summed over the replicas. */
  redisDowns: number;
  /** The largest event-loop delay of any replica during the run. */
  lagMaxMs: number;
}

/** Part 2: one measured round of one gateway. */
export interface Round {
  requests: number;
  seconds: number;
  rps: number;
  cpuUsPerReq: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerAnswer: number;
  calls: number;
  redis: RedisTraffic;
  memoryHits: number;
  memoryLookups: number;
  redisHits: number;
  redisLookups: number;
  redisErrors: number;
  gatewayCore: number;
  otherCore: number;
  /** CPU on the other core per request, µs: the load generator, the runner (the emulator), redis-server. */
  loadUsPerReq: number;
  runnerUsPerReq: number;
  redisUsPerReq: number;
  /** The gateway's event-loop delay over the round (prom-client's nodejs_eventloop_lag_*). */
  lagP99Ms: number;
  lagMaxMs: number;
  /** Times the gateway marked Redis down during the round (a command over REDIS_TIMEOUT_MS). */
  redisDowns: number;
}

export interface System {
  id: SystemId;
  label: string;
  size: number;
  rounds: Round[];
}

export interface FleetResults {
  /** Distinct (caller, arguments) in part 1's sequence. */
  distinctPages: number;
  /** Share of part 1's requests for a hot argument set. */
  hotShare: number;
  fills: FillResult[];
  systems: System[];
}

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '–');
const rate = (hits: number, lookups: number) => (lookups > 0 ? hits / lookups : NaN);
const sum = <T>(items: T[], pick: (x: T) => number) => items.reduce((s, x) => s + pick(x), 0);
const perK = (r: FillResult) => (r.calls * 1000) / r.requests;
/** A median, with the range when the runs differ. */
const spread = (values: number[], digits = 0) => {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo === hi || values.length < 2 ? f(median(values), digits) : `${f(median(values), digits)} (${f(lo, digits)}–${f(hi, digits)})`;
};

function fillTable(s: FleetSettings, r: FleetResults): string {
  const rows = s.replicas.map((n) => {
    const local = r.fills.filter((x) => x.replicas === n && !x.shared);
    const shared = r.fills.filter((x) => x.replicas === n && x.shared);
    const ratio = median(shared.map(perK)) / median(local.map(perK));
    const repeats = (xs: FillResult[]) => spread(xs.map((x) => ((x.calls - x.distinctCalled) * 1000) / x.requests), 1);
    return `| ${n} | ${spread(local.map(perK), 1)} | ${spread(shared.map(perK), 1)} | ${f(ratio, 2)}× | ${repeats(local)} / ${repeats(shared)} ` +
      `| ${pct(rate(sum(local, (x) => x.memoryHits), sum(local, (x) => x.memoryLookups)))} / ${pct(rate(sum(shared, (x) => x.memoryHits), sum(shared, (x) => x.memoryLookups)))} ` +
      `| ${pct(rate(sum(shared, (x) => x.redisHits), sum(shared, (x) => x.redisLookups)))} ` +
      `| ${f(median(shared.map((x) => x.redis.page / x.requests)), 2)} | ${shared.map((x) => x.redisDowns).join(', ')} |`;
  });
  return '| replicas | upstream calls per 1,000 requests: in-process cache | with Redis (REDIS_URL) | Redis ÷ in-process ' +
    '| of which repeats (a page already fetched), per 1,000: in-process / Redis | memory tier hit rate: in-process / Redis ' +
    '| Redis tier hit rate (of memory misses) | Redis commands per request (GET, PTTL, SET) | Redis marked down (times, each run) |\n' +
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' + rows.join('\n') + '\n';
}

const bySystem = (r: FleetResults, size: number, id: SystemId) => r.systems.find((x) => x.size === size && x.id === id);
/** Round-by-round ratios of `pick` between two gateways measured in the same rounds. */
function ratios(x: System | undefined, y: System | undefined, pick: (r: Round) => number): number[] {
  if (!x || !y) return [];
  return x.rounds.map((rx, i) => {
    const ry = y.rounds[i];
    return ry ? pick(rx) / pick(ry) : NaN;
  });
}
const ratioCell = (values: number[]) => (values.length ? `${f(median(values), 2)}× (${values.map((v) => f(v, 2)).join(', ')})` : '–');

function costTable(s: FleetSettings, r: FleetResults): string {
  const rows: string[] = [];
  for (const size of s.sizes) {
    const pairs: Array<[string, SystemId, SystemId]> = [
      ['page cache: (b) Redis ÷ (a) in-process', 'b', 'a'],
      [`cache + rate limit ${s.rateLimit}/s: (c) Redis ÷ (c) in-process`, 'c1', 'c0'],
      ['the bucket\'s Redis round trip alone: (c) Redis ÷ (b)', 'c1', 'b'],
      ['the in-process bucket (and process-to-process noise): (c) in-process ÷ (a)', 'c0', 'a'],
    ];
    for (const [label, withId, withoutId] of pairs) {
      const on = bySystem(r, size, withId);
      const off = bySystem(r, size, withoutId);
      if (!on || !off) continue;
      rows.push(`| ${size} | ${label} | ${f(median(off.rounds.map((x) => x.rps)))} | ${f(median(on.rounds.map((x) => x.rps)))} ` +
        `| ${ratioCell(ratios(on, off, (x) => x.rps))} | ${f(median(off.rounds.map((x) => x.cpuUsPerReq)))} | ${f(median(on.rounds.map((x) => x.cpuUsPerReq)))} ` +
        `| ${ratioCell(ratios(on, off, (x) => x.cpuUsPerReq))} |`);
    }
  }
  return '| perPage | comparison (one replica) | req/s: first | req/s: second | req/s ratio: median (each round) ' +
    '| CPU µs/req: first | CPU µs/req: second | CPU ratio: median (each round) |\n' +
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n' + rows.join('\n') + '\n';
}

function detailTable(r: FleetResults): string {
  const rows = r.systems.map((x) => {
    const rs = x.rounds;
    const rps = rs.map((y) => y.rps);
    return `| ${x.size} | ${x.label} | ${f(median(rps))} (${f(Math.min(...rps))}–${f(Math.max(...rps))}) ` +
      `| ${f(median(rs.map((y) => y.p50Ms)), 1)} / ${f(median(rs.map((y) => y.p99Ms)), 1)} | ${f(median(rs.map((y) => y.cpuUsPerReq)))} ` +
      `| ${f((sum(rs, (y) => y.calls) * 1000) / sum(rs, (y) => y.requests))} | ${pct(rate(sum(rs, (y) => y.memoryHits), sum(rs, (y) => y.memoryLookups)))} ` +
      `| ${x.id === 'b' || x.id === 'c1' ? pct(rate(sum(rs, (y) => y.redisHits), sum(rs, (y) => y.redisLookups))) : '–'} ` +
      `| ${f(sum(rs, (y) => y.redis.page) / sum(rs, (y) => y.requests), 2)} / ${f(sum(rs, (y) => y.redis.bucket) / sum(rs, (y) => y.requests), 2)} | ${f(median(rs.map((y) => y.bytesPerAnswer)) / 1024, 1)} ` +
      `| ${f(median(rs.map((y) => y.lagP99Ms)))} / ${f(Math.max(...rs.map((y) => y.lagMaxMs)))} | ${x.id === 'b' || x.id === 'c1' ? sum(rs, (y) => y.redisDowns) : '–'} ` +
      `| ${pct(median(rs.map((y) => y.gatewayCore)))} / ${pct(median(rs.map((y) => y.otherCore)))} ` +
      `| ${f(median(rs.map((y) => y.loadUsPerReq)))} / ${f(median(rs.map((y) => y.runnerUsPerReq)))} / ${f(median(rs.map((y) => y.redisUsPerReq)))} |`;
  });
  return '| perPage | gateway | req/s: median (min–max) | p50 / p99 ms | CPU µs/req | upstream calls per 1,000 | memory hit rate ' +
    '| Redis hit rate | Redis commands per request: page tier / bucket | KB per answer | event-loop delay ms: p99 (median) / max ' +
    '| Redis marked down (times) | core busy: gateway / other | other core, µs per request: load / emulator / Redis |\n' +
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' + rows.join('\n') + '\n';
}

/** Whether the numbers make sense: what DESIGN.md promises, checked on this run. */
function checks(s: FleetSettings, r: FleetResults): string[] {
  const out: string[] = [];
  const at = (n: number, shared: boolean) => median(r.fills.filter((x) => x.replicas === n && x.shared === shared).map(perK));
  const [few, many] = [Math.min(...s.replicas), Math.max(...s.replicas)];
  const floor = (r.distinctPages * 1000) / s.requests;
  const growth = (a: number, b: number) => `${b >= a ? '+' : ''}${f(((b - a) / a) * 100, 1)}%`;
  out.push(`${few} replica${few > 1 ? 's' : ''}: ${f(at(few, false), 1)} calls per 1,000 in-process, ${f(at(few, true), 1)} with Redis ` +
    `(${growth(at(few, false), at(few, true))}; expected: nearly the same). The sequence asks for ${r.distinctPages} distinct pages: ` +
    `${f(floor, 1)} per 1,000 is what a fleet that fetched each page once would call.`);
  if (many > few) {
    out.push(`in-process, ${few} → ${many} replicas: ${f(at(few, false), 1)} → ${f(at(many, false), 1)} calls per 1,000 (${growth(at(few, false), at(many, false))}; expected: grows, each replica fills its own cache).`);
    out.push(`with Redis, ${few} → ${many} replicas: ${f(at(few, true), 1)} → ${f(at(many, true), 1)} calls per 1,000 (${growth(at(few, true), at(many, true))}; expected: flat).`);
  }
  const off = r.fills.filter((x) => x.gatewayCalls !== x.calls);
  out.push(off.length === 0
    ? 'every run: gateway_upstream_calls_total{outcome="ok"} summed over the replicas equals the calls the emulator received.'
    : `gateway_upstream_calls_total{outcome="ok"} differs from the emulator's count in ${off.length} run(s): ${off.map((x) => `${x.replicas}${x.shared ? ' Redis' : ''}: ${x.gatewayCalls} vs ${x.calls}`).join('; ')}.`);
  const fillErrors = sum(r.fills, (x) => x.redisErrors);
  const fillDown = r.fills.filter((x) => x.redisDowns > 0);
  out.push(fillErrors === 0 ? 'part 1: gateway_redis_errors_total stayed 0: Redis answered every command in time.'
    : `part 1: gateway_redis_errors_total rose by ${fillErrors}, and ${fillDown.length} run(s) saw a replica mark Redis down ` +
      `(${fillDown.map((x) => `${x.replicas} replicas, run ${x.repeat}: ${x.redisDowns}×, event-loop delay max ${f(x.lagMaxMs)} ms`).join('; ')}): ` +
      'a replica that has marked Redis down neither looks pages up there nor stores them for a second at least, which adds calls.');
  const rounds = r.systems.flatMap((x) => x.rounds.map((y) => ({ x, y })));
  const down = rounds.filter(({ y }) => y.redisDowns > 0);
  const errors = sum(rounds, ({ y }) => y.redisErrors);
  if (down.length === 0 && errors === 0) out.push('part 2: no Redis error, and no gateway marked Redis down.');
  else {
    const lag = (xs: typeof rounds) => f(median(xs.map(({ y }) => y.lagMaxMs)));
    out.push(`part 2: gateway_redis_errors_total rose by ${errors}, and ${down.length} of ${rounds.filter(({ x }) => x.id === 'b' || x.id === 'c1').length} rounds with Redis ` +
      `saw the gateway mark Redis down (${down.map(({ x, y }) => `perPage ${x.size} ${x.id}: ${y.redisDowns}×`).join(', ')}); ` +
      `those rounds' event-loop delay max was ${lag(down)} ms (median), the others' ${lag(rounds.filter(({ x, y }) => (x.id === 'b' || x.id === 'c1') && y.redisDowns === 0))} ms, ` +
      `against REDIS_TIMEOUT_MS ${s.redisTimeoutMs ?? 250}: a reply that reaches a gateway whose event loop is blocked is read only after its timeout timer has fired. While Redis is marked down ` +
      '(a second at least, until a PING answers) the gateway serves alone, without those Redis costs.');
  }
  return out;
}

function cautions(r: FleetResults): string[] {
  const out: string[] = [];
  for (const x of r.systems) {
    const other = median(x.rounds.map((y) => y.otherCore));
    const gw = median(x.rounds.map((y) => y.gatewayCore));
    if (other > 0.9 && gw < 0.9) {
      out.push(`perPage ${x.size}, ${x.label}: the other core (load, emulator, Redis) was ${pct(other)} busy, the gateway's ${pct(gw)}: ` +
        'the load side set this rate, a lower bound for the gateway.');
    }
  }
  return out;
}

function command(): string {
  const knobs = ['BENCH_FLEET_REQUESTS', 'BENCH_FLEET_REPEATS', 'BENCH_FLEET_REPLICAS', 'BENCH_FLEET_CONNECTIONS', 'BENCH_FLEET_TPUT_CONNECTIONS', 'BENCH_FLEET_TTL_MS',
    'BENCH_FLEET_HOT', 'BENCH_FLEET_SIZES', 'BENCH_FLEET_ROUNDS', 'BENCH_FLEET_SECONDS', 'BENCH_FLEET_REDIS_TIMEOUT_MS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `);
  return `${knobs.join('')}npm run bench:fleet`;
}
const REVISION = revision(); // read at start-up, right after the build

function tables(s: FleetSettings, r: FleetResults): string {
  return `**Upstream calls per 1,000 requests** (${s.requests} requests, the same sequence for every row; ` +
    `${s.repeats > 1 ? `median of ${s.repeats} runs, (min–max) when they differ` : 'one run'}):\n\n${fillTable(s, r)}\n` +
    `**The cost of Redis on one replica** ("first" is the gateway without the Redis feature, "second" with it):\n\n${costTable(s, r)}\n` +
    `Each gateway of part 2 (medians over ${s.rounds} rounds; rates over all rounds):\n\n${detailTable(r)}`;
}

function section(s: FleetSettings, r: FleetResults, verdicts: string[], notes: string[], totalS: number): string {
  const hotPct = Math.round(s.hot * 100);
  return `${FLEET_HEADING}

What sharing through Redis (DESIGN.md "Scale-out") saves in upstream calls as replicas are added, and what it costs
one replica in throughput. Produced by \`npm run bench:fleet\` (bench/fleet/run.ts; not part of \`npm test\`), which prints
the same tables. Knobs: \`BENCH_FLEET_REQUESTS\` (4000), \`BENCH_FLEET_REPEATS\` (2), \`BENCH_FLEET_REPLICAS\` (1,2,4),
\`BENCH_FLEET_CONNECTIONS\` (16, part 1), \`BENCH_FLEET_TPUT_CONNECTIONS\` (32, part 2), \`BENCH_FLEET_TTL_MS\` (30000),
\`BENCH_FLEET_HOT\` (0.7), \`BENCH_FLEET_SIZES\` (10,1000), \`BENCH_FLEET_ROUNDS\` (5), \`BENCH_FLEET_SECONDS\` (6),
\`BENCH_FLEET_REDIS_TIMEOUT_MS\` (unset: the gateway's default), \`BENCH_OUT\` (the file for this section; \`-\` writes none).

- Command: \`${command()}\`; the runner took ${Math.round(totalS)} s after the build
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; gateway revision ${REVISION}
- Machine: ${machine()}; ${s.redisVersion} (\`--save "" --appendonly no\`)
- Settings: CACHE_TTL_MS ${s.ttlMs}, CACHE_MAX_ENTRIES 1000 (the default), REDIS_TIMEOUT_MS ${s.redisTimeoutMs ?? '250 (the default)'}; ${s.connections} connections
  in part 1, ${s.tputConnections} in part 2;
  the emulator holds \`generateJobs(${jobsFor(100)}, 7)\` for part 1 and perPage up to 100, \`generateJobs(${jobsFor(1000)}, 7)\` for perPage 1000; part 2: rounds of ${s.seconds} s, each after a sweep of every caller's hot pages (${CALLERS} × ${HOT_SETS} requests, so that
  every gateway starts a round with them cached) and ${s.warmupS} s of warm-up; each gateway primed ${s.primeS} s once;
  (c) sets RATE_LIMIT_PER_SECOND ${s.rateLimit} (the burst its default, twice that), which admits everything

${tables(s, r)}
Checks on this run:

${verdicts.map((v) => `- ${v}`).join('\n')}

How to read it: the first table is what an operator pays the upstream API. Without Redis each replica fills its own
cache, so a hot page is fetched once per replica and caller, and calls grow with the replicas; with Redis a page one
replica fetched serves the others, so calls should stay near one fetch per distinct page, whatever the number of
replicas. "Repeats" counts calls for a page the emulator had already served in that run (the rest are first fetches,
the same in every row since nothing expires within the run): they are what sharing can remove. Cold pages are
almost all distinct, so they set a floor no cache lowers. The second table is the price on one replica's core: the
Redis tier is asked only when the memory tier misses (the cold ${100 - hotPct}% of requests), so (b) ÷ (a) is the cost of a
Redis lookup and store on each miss, while the rate limit asks Redis on every request. Ratios are taken round by
round (the gateways are measured in turn, a b c c then c c b a, ...), so the machine's drift mostly cancels; the
spread of a ratio over the rounds shows this VM's noise. Each gateway is one process for all its rounds, and separate
processes of one build differ by several percent: (c) in-process against (a), whose in-process bucket costs next
to nothing, shows how much in this run. A ratio above 1 for a feature that only adds work is that noise, or the
added wait changing how the saturated gateway batches its work (requests that resume together cost less each): not a
gain. Where a gateway marked Redis down (last columns), it skipped Redis for a while and its figures understate the cost.

Method:

- The mix (bench/lib/mix.ts): ${CALLERS} callers (\`x-auth-token\` values), one drawn uniformly per request; ${hotPct}% of requests
  ask one of ${HOT_SETS} hot argument sets, Zipf-like (weights 1, 1/2, …, 1/${HOT_SETS}): the default list, the newest jobs, the running
  ones, page 2, the failed ones; the rest are cold: any sort field and order, then a random page (of up to 200), a status
  filter (6 statuses) or a name search (34 words). Part 1: hot perPage 10, cold perPage 10, 50 or 100; part 2: every request
  at the page size of the row. Request i is a function of (seed, i) alone, so every configuration sends the same requests.
  This run's part 1 sequence: ${r.distinctPages} distinct (caller, arguments) in ${s.requests} requests, ${Math.round(r.hotShare * 100)}% hot.
- Part 1: for each number of replicas, fresh gateways (\`dist/src/main.js\`, NODE_ENV=production) ${s.pinned ? 'all on core 0' : '(not pinned)'} and an emptied Redis;
  request i goes to replica i mod n (a round-robin balancer), ${s.connections} in flight; the rows run in turn, ${s.repeats} time(s). Upstream calls are counted in the
  emulator's request log; cache hit rates come from \`gateway_cache_lookups_total\` summed over the replicas. The runs are
  shorter than CACHE_TTL_MS, so nothing expires during one: the figure is the cost of filling the caches with this sequence.
- Part 2: one gateway at a time on core 0 ${s.pinned ? '(`taskset`)' : '(not pinned)'}; the emulator, Redis, the load generator (bench/fleet/load.ts, undici, one process for the whole run)
  and the runner on core 1. Per page size four gateways are started once: (a) CACHE_TTL_MS, (b) (a) + REDIS_URL,
  (c) (a) and (b) each with RATE_LIMIT_PER_SECOND. Every gateway gets the same request sequence in a round, a new one
  each round; the order of the gateways reverses every other round. CPU µs/req is the gateway's utime + stime (\`/proc/<pid>/stat\`) over the round ÷ requests answered;
  Redis commands per request come from INFO commandstats over the round: the page tier's GET and PTTL (pipelined
  together) and SET, and the bucket's EVALSHA (not the commands its script runs inside Redis).
- The document (POST application/json), its variables from the mix:

  \`\`\`graphql
  ${DOCUMENT}
  \`\`\`
- Every answer must be a 200 with \`data.trainingJobs\` and no \`errors\`; one failure aborts the bench.
${notes.length ? `\nNotes on this run:\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** Prints the tables and writes (or replaces) the section in `out` ('-': nowhere). */
export function report(s: FleetSettings, r: FleetResults, notes: string[], totalS: number, out: string, log: (line: string) => void): void {
  notes.push(...cautions(r));
  const verdicts = checks(s, r);
  log(`\n${tables(s, r)}\n${verdicts.map((v) => `- ${v}`).join('\n')}\n${notes.map((n) => `note: ${n}`).join('\n')}\ntotal ${totalS.toFixed(0)} s`);
  if (out === '-') return;
  writeSection(out, FLEET_HEADING, section(s, r, verdicts, notes, totalS));
  log(`written: ${out}`);
}

