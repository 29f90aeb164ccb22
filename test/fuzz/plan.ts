/**
 * Which requests a run sends, from its seed and size alone (so that any run can be repeated), and
 * its size, seed and target from the environment that npm run fuzz sets.
 */
import { getIntrospectionQuery } from 'graphql';
import { absurdRequest, mutatedRequest, validRequest } from './graphql-requests.ts';
import { headersRequest, httpRequestCase } from './http-requests.ts';
import { validOperation, type Operation } from './operations.ts';
import type { Family, FuzzRequest } from './requests.ts';
import { Rng } from './rng.ts';

/** The seed of `npm test`'s run: keep it, CI compares like with like. */
export const DEFAULT_SEED = 0x5eed_2024;

/**
 * One block of the run: the families in these proportions, then a few browsers asking for GraphiQL
 * (a large page, so only a handful). At BLOCK_SIZE requests this is `npm test`'s run, draw for draw.
 */
export const BLOCK_PLAN: ReadonlyArray<readonly [Family, number]> = [
  ['valid', 560],
  ['mutated', 560],
  ['absurd', 280],
  ['http', 620],
  ['headers', 400],
];
const GRAPHIQL_METHODS = ['GET', 'HEAD', 'GET'];
export const BLOCK_SIZE = BLOCK_PLAN.reduce((n, [, count]) => n + count, 0) + GRAPHIQL_METHODS.length;

/** How many requests of each family (BLOCK_PLAN's order) and GraphiQL pages a block of `size` sends. */
function blockPlan(size: number): { counts: number[]; graphiql: number } {
  const graphiql = Math.min(GRAPHIQL_METHODS.length, size, Math.max(1, Math.round((GRAPHIQL_METHODS.length * size) / BLOCK_SIZE)));
  const rest = size - graphiql;
  const planned = BLOCK_SIZE - GRAPHIQL_METHODS.length;
  const exact = BLOCK_PLAN.map(([, count]) => (count * rest) / planned);
  const counts = exact.map(Math.floor);
  // Largest remainders first, so that the counts add up to the block exactly.
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, short = rest - counts.reduce((a, b) => a + b, 0); k < short; k++) {
    const i = byRemainder[k]![1];
    counts[i] = counts[i]! + 1;
  }
  return { counts, graphiql };
}

export function buildRequests(seed: number, size: number): FuzzRequest[] {
  const r = new Rng(seed);
  const seeds: Operation[] = Array.from({ length: 60 }, () => validOperation(r));
  seeds.push({ query: getIntrospectionQuery() });
  seeds.push({
    query: 'query RunningJobs($page: Int! = 1) { trainingJobs(status: RUNNING, page: $page, perPage: 5, sortBy: CREATE_TIME, order: DESC) { totalCount pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs } jobs { id name status statusCode createdAt duration versionCount } } }',
    variables: { page: 2 },
  });
  seeds.push({ query: 'query A { ...F } fragment F on Query { trainingJobs @include(if: true) { totalCount } }', operationName: 'A' });
  const make: Record<Family, () => FuzzRequest> = {
    valid: () => validRequest(r),
    mutated: () => mutatedRequest(r, seeds),
    absurd: () => absurdRequest(r),
    http: () => httpRequestCase(r),
    headers: () => headersRequest(r),
  };
  const { counts, graphiql } = blockPlan(size);
  const requests: FuzzRequest[] = [];
  BLOCK_PLAN.forEach(([family], i) => {
    for (let k = 0; k < counts[i]!; k++) requests.push(make[family]());
  });
  for (let i = 0; i < graphiql; i++) {
    requests.push({ family: 'http', kind: 'GraphiQL page', method: GRAPHIQL_METHODS[i % GRAPHIQL_METHODS.length]!, path: '/graphql', headers: { accept: 'text/html' } });
  }
  return r.shuffle(requests);
}

// ---------------------------------------------------------------------------------------------
// The run's size and seed, from the environment.

export type TargetKind = 'stack' | 'process';

export interface FuzzSettings {
  runs: number;
  /** The upstream the gateway calls. */
  api: 'v1' | 'v2';
  seed: number;
  target: TargetKind;
  /** Where to record a passing run (a section of this file), if anywhere. */
  out?: string;
  report?: string;
  command?: string;
  verbose: boolean;
}

function parseSeed(text: string): number | undefined {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff ? value : undefined;
}

export const hex = (seed: number) => `0x${seed.toString(16).padStart(8, '0')}`;

export function fuzzSettings(env: NodeJS.ProcessEnv): FuzzSettings {
  const problems: string[] = [];
  const given = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const runsText = given('FUZZ_RUNS');
  const runs = runsText === undefined ? BLOCK_SIZE : /^\d{1,9}$/.test(runsText) ? Number(runsText) : NaN;
  if (!(runs >= 1)) problems.push(`FUZZ_RUNS must be a whole number of requests, 1 or more (got ${JSON.stringify(runsText)})`);
  const seedText = given('FUZZ_SEED');
  const seed = seedText === undefined ? DEFAULT_SEED : parseSeed(seedText);
  if (seed === undefined) problems.push(`FUZZ_SEED must be a 32-bit number, decimal or 0x hex (got ${JSON.stringify(seedText)})`);
  const target = given('FUZZ_TARGET') ?? 'stack';
  if (target !== 'stack' && target !== 'process') problems.push(`FUZZ_TARGET must be stack or process (got ${JSON.stringify(target)})`);
  const api = given('FUZZ_API') ?? 'v1';
  if (api !== 'v1' && api !== 'v2') problems.push(`FUZZ_API must be v1 or v2 (got ${JSON.stringify(api)})`);
  if (problems.length > 0) throw new Error(`fuzz settings: ${problems.join('; ')}`);
  const out = given('FUZZ_OUT');
  return {
    runs,
    seed: seed!,
    target: target as TargetKind,
    api: api as 'v1' | 'v2',
    ...(out !== undefined && out !== '-' ? { out } : {}),
    ...(given('FUZZ_REPORT') ? { report: given('FUZZ_REPORT') } : {}),
    ...(given('FUZZ_COMMAND') ? { command: given('FUZZ_COMMAND') } : {}),
    verbose: Boolean(given('FUZZ_VERBOSE')),
  };
}

/**
 * The run in blocks of at most BLOCK_SIZE, each built and shuffled like `npm test`'s one from a
 * seed of its own: the families keep their proportions at any size, and only one block's
 * requests (a few dozen of them 1-2 MB) are held at a time. The first block's seed is the run's.
 */
export function blocks(runs: number, seed: number): Array<{ seed: number; size: number }> {
  const count = Math.ceil(runs / BLOCK_SIZE);
  const seeds = new Rng(seed ^ 0xb10c_5eed);
  return Array.from({ length: count }, (_, i) => ({
    seed: i === 0 ? seed : Math.floor(seeds.next() * 2 ** 32),
    size: Math.floor(runs / count) + (i < runs % count ? 1 : 0),
  }));
}
