/**
 * npm run bench:fleet: what Redis buys and costs when replicas run together (DESIGN.md
 * "Scale-out"). Two parts, one Redis (redis-server, a child) and the emulator (in this runner):
 *
 * 1. Upstream calls per 1,000 requests of a seeded realistic mix (lib/mix.ts), for 1, 2 and 4
 *    fresh replicas behind a round-robin balancer, each with the in-process cache only and with
 *    REDIS_URL: the same request sequence every time, counted at the emulator.
 * 2. Throughput of one replica (core 0): (a) the in-process cache, (b) the same with Redis,
 *    (c) both again with RATE_LIMIT_PER_SECOND admitting everything (a Redis round trip per
 *    request for the bucket), in interleaved rounds per page size.
 *
 * Gateways on core 0; emulator, Redis, load generator and runner on core 1. Knobs:
 * BENCH_FLEET_REQUESTS (4000), BENCH_FLEET_REPEATS (2), BENCH_FLEET_REPLICAS (1,2,4),
 * BENCH_FLEET_CONNECTIONS (16, part 1), BENCH_FLEET_TPUT_CONNECTIONS (32, part 2),
 * BENCH_FLEET_TTL_MS (30000), BENCH_FLEET_HOT (0.7), BENCH_FLEET_SIZES (10,1000),
 * BENCH_FLEET_ROUNDS (5), BENCH_FLEET_SECONDS (6), BENCH_FLEET_REDIS_TIMEOUT_MS (unset: the gateway's 250),
 * BENCH_OUT (the file whose scale-out section is written, default docs/benchmarks.md; - for none).
 */
import { join } from 'node:path';
import { createEmulator, generateJobs, type Emulator } from '../../src/emulator/index.ts';
import { launchGateway, metrics, type Gateway } from '../lib/gateway.ts';
import { cacheKey, jobsFor, requestAt, type Mix } from '../lib/mix.ts';
import { ROOT } from '../lib/paths.ts';
import { HAS_TASKSET, coreJiffies, cpuMs, pinSelf, runMain, stop, waitForQuiet } from '../lib/proc.ts';
import { machine } from '../lib/provenance.ts';
import { startLoad, type LoadArgs, type LoadSummary } from './load.ts';
import { startRedis, traffic, type BenchRedis } from './redis.ts';
import { report, type FillResult, type FleetSettings, type Round, type System, type SystemId } from './report.ts';

const GATEWAY_CORE = 0;
const OTHER_CORE = 1;
const PROJECT = 'fleet-bench';
const FILL_SEED = 20_261_129;
const env = process.env;
const log = (line: string) => process.stdout.write(`${line}\n`);

function positive(name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
function list(name: string, fallback: string): number[] {
  const values = (env[name] ?? fallback).split(',').map((s) => Number(s.trim()));
  if (!values.length || values.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${name}: a comma list of positive integers`);
  return values;
}
const hot = Number(env.BENCH_FLEET_HOT ?? 0.7);
if (!(hot >= 0 && hot <= 1)) throw new Error('BENCH_FLEET_HOT must be between 0 and 1');

const settings: FleetSettings = {
  requests: positive('BENCH_FLEET_REQUESTS', 4000),
  repeats: positive('BENCH_FLEET_REPEATS', 2),
  replicas: list('BENCH_FLEET_REPLICAS', '1,2,4'),
  connections: positive('BENCH_FLEET_CONNECTIONS', 16),
  tputConnections: positive('BENCH_FLEET_TPUT_CONNECTIONS', 32),
  ttlMs: positive('BENCH_FLEET_TTL_MS', 30_000),
  hot,
  fillMix: { hot, hotPerPage: 10, coldPerPage: [10, 50, 100], jobs: jobsFor(100) },
  sizes: list('BENCH_FLEET_SIZES', '10,1000'),
  rounds: positive('BENCH_FLEET_ROUNDS', 5),
  seconds: positive('BENCH_FLEET_SECONDS', 6),
  warmupS: 1,
  primeS: 5,
  rateLimit: 100_000,
  redisTimeoutMs: env.BENCH_FLEET_REDIS_TIMEOUT_MS === undefined ? undefined : positive('BENCH_FLEET_REDIS_TIMEOUT_MS', 250),
  pinned: HAS_TASKSET,
  redisVersion: '',
};

/** The environment of every gateway here: the emulator, the page cache on. */
function gatewayEnv(upstream: string, extra: Record<string, string>): Record<string, string> {
  const timeout: Record<string, string> = settings.redisTimeoutMs === undefined ? {} : { REDIS_TIMEOUT_MS: String(settings.redisTimeoutMs) };
  return { MODELARTS_ENDPOINT: upstream, MODELARTS_PROJECT_ID: PROJECT, CACHE_TTL_MS: String(settings.ttlMs), ...timeout, ...extra };
}

/** Waits until every gateway says Redis is up (gateway_redis_up 1). */
async function redisUp(gateways: Gateway[]): Promise<void> {
  for (const g of gateways) {
    for (let i = 0; ; i++) {
      g.alive();
      if ((await metrics(g.url))('gateway_redis_up') === 1) break;
      if (i > 100) throw new Error(`${g.child.name}: gateway_redis_up still 0 after 10 s\n${g.child.tail.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let loader: ReturnType<typeof startLoad> | undefined; // started in main()
const load = (args: LoadArgs): Promise<LoadSummary> => (loader ?? (loader = startLoad(OTHER_CORE))).run(args);

function mustSucceed(what: string, l: LoadSummary): void {
  if (l.failed > 0) throw new Error(`${what}: ${l.failed} of ${l.requests} requests failed, e.g.\n  ${l.failures.join('\n  ')}`);
}

/** Times a gateway logged that Redis went down (one line per change of state). */
const downs = (g: Gateway) => [...g.logged].filter(([msg]) => msg.startsWith('redis is down')).reduce((n, [, k]) => n + k, 0);

/** Part 1: one configuration of replicas, fresh, over the whole seeded sequence. */
async function fill(emulator: Emulator, redis: BenchRedis, replicas: number, shared: boolean, repeat: number): Promise<FillResult> {
  await redis.flush();
  const extra: Record<string, string> = shared ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'fleet:' } : {};
  const started = await Promise.allSettled(Array.from({ length: replicas }, (_, r) =>
    launchGateway(GATEWAY_CORE, gatewayEnv(emulator.url, extra), undefined, `replica ${r + 1}`)));
  const gateways = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (shared) await redisUp(gateways);
    await Promise.all(gateways.map((g) => metrics(g.url))); // a scrape resets the event-loop delay histogram
    const downs0 = gateways.map(downs);
    emulator.clearRequests();
    const t0 = performance.now();
    const l = await load({ urls: gateways.map((g) => g.url), connections: settings.connections, mix: settings.fillMix, seed: FILL_SEED, count: settings.requests });
    const seconds = (performance.now() - t0) / 1000;
    const label = `${replicas} replica${replicas > 1 ? 's' : ''}, ${shared ? 'Redis' : 'in-process'}`;
    mustSucceed(label, l);
    for (const g of gateways) g.alive();
    const m = await Promise.all(gateways.map((g) => metrics(g.url)));
    const sum = (name: string, labels?: Record<string, string>) => m.reduce((s, f) => s + f(name, labels), 0);
    const calls = emulator.requests.filter((r) => r.path.endsWith('/training-jobs'));
    const result: FillResult = {
      replicas, shared, repeat, requests: l.requests, seconds,
      calls: calls.length,
      distinctCalled: new Set(calls.map((r) => `${r.headers['x-auth-token'] ?? ''} ${r.query}`)).size,
      gatewayCalls: sum('gateway_upstream_calls_total', { outcome: 'ok' }),
      memoryHits: sum('gateway_cache_lookups_total', { store: 'memory', result: 'hit' }),
      memoryLookups: sum('gateway_cache_lookups_total', { store: 'memory' }),
      redisHits: sum('gateway_cache_lookups_total', { store: 'redis', result: 'hit' }),
      redisLookups: sum('gateway_cache_lookups_total', { store: 'redis' }),
      redisErrors: sum('gateway_redis_errors_total'),
      redis: traffic({}, await redis.commands()),
      redisDowns: gateways.reduce((n, g, i) => n + downs(g) - (downs0[i] ?? 0), 0),
      lagMaxMs: Math.max(...m.map((f) => f('nodejs_eventloop_lag_max_seconds') * 1000)),
    };
    log(`  ${label} (run ${repeat}): ${result.calls} upstream calls for ${l.requests} requests = ${((result.calls * 1000) / l.requests).toFixed(1)} per 1,000; ` +
      `${result.calls - result.distinctCalled} repeats of a page already fetched; ${seconds.toFixed(1)} s, p50 ${l.p50Ms.toFixed(1)} ms, ` +
      `event-loop delay max ${result.lagMaxMs.toFixed(0)} ms${shared ? `, Redis marked down ${result.redisDowns}×` : ''}`);
    return result;
  } finally {
    await Promise.all(gateways.map((g) => stop(g.child)));
  }
}

/** Part 2's four gateways: what each adds to (a). */
const SYSTEMS: Record<SystemId, { label: string; redis: boolean; rateLimit: boolean }> = {
  a: { label: '(a) in-process cache', redis: false, rateLimit: false },
  b: { label: '(b) in-process + Redis cache', redis: true, rateLimit: false },
  c0: { label: '(c) cache + rate limit, no Redis', redis: false, rateLimit: true },
  c1: { label: '(c) cache + rate limit, Redis', redis: true, rateLimit: true },
};

interface Running {
  id: SystemId;
  gateway: Gateway;
}

/** One measured round of one gateway: warm-up, then the mix for `seconds`, with everything around it. */
async function measure(emulator: Emulator, redis: BenchRedis, r: Running, size: number, seed: number): Promise<Round> {
  const mix: Mix = { hot: settings.hot, hotPerPage: size, coldPerPage: [size], jobs: jobsFor(size) };
  const urls = [r.gateway.url];
  // Every hot page fresh in this gateway's cache, whatever expired while the others ran; then a short warm-up.
  mustSucceed(`${r.id} hot sweep`, await load({ urls, connections: settings.tputConnections, mix, seed, sweep: true }));
  mustSucceed(`${r.id} warm-up`, await load({ urls, connections: settings.tputConnections, mix, seed: seed + 7919, seconds: settings.warmupS }));
  const downs0 = downs(r.gateway);
  const { pid } = r.gateway.child;
  const [m0, cmds0] = [await metrics(r.gateway.url), await redis.commands()];
  const [cpu0, s0, o0, calls0, own0, redis0] = [cpuMs(pid), coreJiffies(GATEWAY_CORE), coreJiffies(OTHER_CORE), emulator.requests.length, process.cpuUsage(), cpuMs(redis.child.pid)];
  const l = await load({ urls, connections: settings.tputConnections, mix, seed, seconds: settings.seconds });
  const [cpu1, s1, o1, calls1, own, redis1] = [cpuMs(pid), coreJiffies(GATEWAY_CORE), coreJiffies(OTHER_CORE), emulator.requests.length, process.cpuUsage(own0), cpuMs(redis.child.pid)];
  const cmds1 = await redis.commands();
  const m1 = await metrics(r.gateway.url);
  r.gateway.alive();
  mustSucceed(`${r.id}, perPage ${size}`, l);
  const d = (name: string, labels?: Record<string, string>) => m1(name, labels) - m0(name, labels);
  const share = (a: { busy: number; total: number }, b: typeof a) => (b.busy - a.busy) / Math.max(1, b.total - a.total);
  emulator.clearRequests(); // keeps the log small; counts are deltas
  return {
    requests: l.requests, seconds: l.seconds, rps: l.ok / l.seconds, cpuUsPerReq: ((cpu1 - cpu0) * 1000) / l.requests,
    p50Ms: l.p50Ms, p99Ms: l.p99Ms, bytesPerAnswer: l.bytes / l.ok,
    calls: calls1 - calls0,
    redis: traffic(cmds0, cmds1),
    memoryHits: d('gateway_cache_lookups_total', { store: 'memory', result: 'hit' }),
    memoryLookups: d('gateway_cache_lookups_total', { store: 'memory' }),
    redisHits: d('gateway_cache_lookups_total', { store: 'redis', result: 'hit' }),
    redisLookups: d('gateway_cache_lookups_total', { store: 'redis' }),
    redisErrors: d('gateway_redis_errors_total'),
    gatewayCore: share(s0, s1),
    otherCore: share(o0, o1),
    // Who kept the other core busy: the load generator, this runner (the emulator, mostly), Redis.
    loadUsPerReq: (l.cpuMs * 1000) / l.requests,
    runnerUsPerReq: (own.user + own.system) / l.requests,
    redisUsPerReq: ((redis1 - redis0) * 1000) / l.requests,
    // prom-client resets its event-loop histogram at each scrape: these are the round's.
    lagP99Ms: m1('nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: m1('nodejs_eventloop_lag_max_seconds') * 1000,
    redisDowns: downs(r.gateway) - downs0,
  };
}

/** Part 2 at one page size: the four gateways started once, primed, then measured in turn, round after round. */
async function throughput(emulator: Emulator, redis: BenchRedis, size: number): Promise<System[]> {
  await redis.flush();
  const ids = Object.keys(SYSTEMS) as Array<SystemId>;
  const running: Running[] = [];
  try {
    for (const id of ids) {
      const def = SYSTEMS[id];
      const extra: Record<string, string> = {
        ...(def.redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `tput-${id}:` } : {}),
        ...(def.rateLimit ? { RATE_LIMIT_PER_SECOND: String(settings.rateLimit) } : {}),
      };
      const gateway = await launchGateway(GATEWAY_CORE, gatewayEnv(emulator.url, extra), undefined, `gateway ${id}`);
      running.push({ id, gateway });
      if (def.redis) await redisUp([gateway]);
    }
    const mix: Mix = { hot: settings.hot, hotPerPage: size, coldPerPage: [size], jobs: jobsFor(size) };
    // A fresh process tiers up its code and grows its heap for a while: prime each once.
    for (const r of running) mustSucceed(`${r.id} priming`, await load({ urls: [r.gateway.url], connections: settings.tputConnections, mix, seed: 1, seconds: settings.primeS }));
    const systems: System[] = running.map((r) => ({ id: r.id, label: SYSTEMS[r.id].label, size, rounds: [] }));
    for (let round = 1; round <= settings.rounds; round++) {
      // a b c c, then c c b a: drift over a round weighs on every gateway alike.
      const order = round % 2 ? running : [...running].reverse();
      for (const r of order) {
        // Every gateway gets the same sequence in a round; each round a new one.
        const m = await measure(emulator, redis, r, size, 1000 + round);
        systems.find((x) => x.id === r.id)?.rounds.push(m);
        log(`  perPage ${size} round ${round}/${settings.rounds} ${r.id.padEnd(2)} ${m.rps.toFixed(0).padStart(6)} req/s  ` +
          `cpu ${m.cpuUsPerReq.toFixed(0).padStart(5)} µs/req  p50 ${m.p50Ms.toFixed(1)} ms  calls ${((m.calls * 1000) / m.requests).toFixed(0)}/1000  ` +
          `redis ${((m.redis.page + m.redis.bucket + m.redis.other) / m.requests).toFixed(2)} cmd/req${m.redisDowns ? ` (marked down ${m.redisDowns}×)` : ''}  ` +
          `loop lag p99/max ${m.lagP99Ms.toFixed(0)}/${m.lagMaxMs.toFixed(0)} ms  cores: gateway ${Math.round(m.gatewayCore * 100)}%, other ${Math.round(m.otherCore * 100)}%`);
      }
    }
    for (const r of running) {
      for (const [msg, n] of r.gateway.logged) log(`  ${r.id} logged "${msg}" ${n}×`);
    }
    return systems;
  } finally {
    await Promise.all(running.map((r) => stop(r.gateway.child)));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  pinSelf(OTHER_CORE);
  log(`bench:fleet: ${machine()}`);
  const notes: string[] = [];
  const busy = await waitForQuiet([GATEWAY_CORE, OTHER_CORE], log);
  if (busy > 0.1) notes.push(`the machine was not quiet when the run began (a core ${Math.round(busy * 100)}% busy with other work).`);
  log(HAS_TASKSET ? 'pinning: gateways on core 0; emulator, Redis, load and runner on core 1' : 'pinning: none (taskset not found)');

  // The floor for part 1: pages the sequence asks for, each fetched once by an ideal fleet.
  const keys = new Set(Array.from({ length: settings.requests }, (_, i) => cacheKey(requestAt(settings.fillMix, FILL_SEED, i))));
  const hotShare = Array.from({ length: settings.requests }, (_, i) => requestAt(settings.fillMix, FILL_SEED, i).hot >= 0).filter(Boolean).length / settings.requests;

  // One emulator per data set (lib/mix.ts jobsFor), in this process.
  const emulators = new Map<number, Emulator>();
  const emulatorFor = async (jobs: number) => {
    const made = emulators.get(jobs) ?? (await createEmulator({ jobs: generateJobs(jobs, 7) }).listen(0, '127.0.0.1'));
    emulators.set(jobs, made);
    return made;
  };
  const redis = await startRedis(OTHER_CORE);
  settings.redisVersion = redis.version;
  try {
    const emulator = await emulatorFor(settings.fillMix.jobs);
    log(`part 1: upstream calls per 1,000 requests (${settings.requests} requests, ${keys.size} distinct pages, ${Math.round(hotShare * 100)}% hot)`);
    const fills: FillResult[] = [];
    for (let repeat = 1; repeat <= settings.repeats; repeat++) {
      for (const replicas of settings.replicas) {
        for (const shared of [false, true]) fills.push(await fill(emulator, redis, replicas, shared, repeat));
      }
    }
    log('part 2: one replica\'s throughput, in-process cache against Redis');
    const systems: System[] = [];
    for (const size of settings.sizes) systems.push(...(await throughput(await emulatorFor(jobsFor(size)), redis, size)));
    const totalS = (performance.now() - started) / 1000;
    report(settings, { distinctPages: keys.size, hotShare, fills, systems }, notes, totalS, env.BENCH_OUT ?? join(ROOT, 'docs', 'benchmarks.md'), log);
  } finally {
    if (loader) await stop(loader.child);
    await redis.close();
    for (const e of emulators.values()) await e.close();
  }
}

runMain('bench:fleet', main);
