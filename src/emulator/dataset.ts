import { DESCRIPTIONS, FAMILIES, SUFFIXES } from './vocabulary.ts';

/** One job as the emulator holds it. Ids are bigint because upstream Longs exceed 2^53. */
export interface EmulatorJob {
  jobId: bigint;
  jobName: string;
  versionId: bigint;
  status: number;
  /** epoch ms */
  createTime: number;
  /** ms; 0 for jobs that never started */
  duration: number;
  /** may be '' */
  jobDesc: string;
  versionCount: number;
  /** not sent on the wire; used to filter by workspace_id */
  workspaceId: string;
}

const STATUS_CODES = 23; // 0..22, UPSTREAM.md "Job status codes"
/** Statuses of jobs that never ran (INIT, image build, submit, WAITING, UNKNOWN): duration 0. */
const NOT_STARTED = new Set([0, 1, 2, 3, 4, 5, 7]);
/** Most jobs end COMPLETED, RUNNING or FAILED; the rare codes appear through the forced first 23. */
const STATUS_WEIGHTS: ReadonlyArray<readonly [status: number, weight: number]> = [
  [10, 35], [8, 12], [11, 12], [12, 6], [13, 5], [7, 5], [1, 3], [9, 2], [14, 1], [15, 1], [19, 1], [20, 1],
];
const END = Date.UTC(2026, 10, 1); // create times fall in the year before 2026-11-01
const YEAR = 365 * 24 * 3600 * 1000;
const MIN_DURATION = 5_000;
const MAX_DURATION = 21 * 24 * 3600 * 1000;
const TWO_53 = 1n << 53n;

/** mulberry32: tiny, fast, and good enough for test data; Math.random would break determinism. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function logUniform(rng: Rng, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + rng() * (Math.log(max) - Math.log(min))));
}

/** An id of 6 to 12 digits, like most real ones. */
export function modestId(rng: Rng): bigint {
  return BigInt(logUniform(rng, 100_000, 999_999_999_999));
}

/** An id in [2^53, 2^63): JSON.parse would round it, which is what the gateway must avoid. */
function bigId(rng: Rng): bigint {
  const hi = BigInt(Math.floor(rng() * 2 ** 31));
  const lo = BigInt(Math.floor(rng() * 2 ** 32));
  const id = (hi << 32n) | lo;
  return id > TWO_53 ? id : id + TWO_53 + 1n;
}

function pickStatus(rng: Rng): number {
  const total = STATUS_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng() * total;
  for (const [status, weight] of STATUS_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return status;
  }
  return 10;
}

/** Fisher-Yates over 0..22, so the forced statuses land in a seed-dependent order. */
function shuffledStatuses(rng: Rng): number[] {
  const codes = Array.from({ length: STATUS_CODES }, (_, i) => i);
  for (let i = codes.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [codes[i], codes[j]] = [codes[j] as number, codes[i] as number];
  }
  return codes;
}

interface NameParts {
  name: string;
  model: string;
  dataset: string;
}

export function jobName(rng: Rng, earlier: readonly NameParts[]): NameParts {
  // About one job in twelve is a re-run under an earlier name: duplicates exercise the job_id tie-break.
  if (earlier.length > 0 && rng() < 0.08) return pick(rng, earlier);
  const family = pick(rng, FAMILIES);
  const model = pick(rng, family.models);
  const dataset = pick(rng, family.datasets);
  return { name: `${model}-${dataset}-${pick(rng, family.tasks)}${pick(rng, SUFFIXES)}`, model, dataset };
}

/** A description a person might write for the job, or none. */
export function describeJob(rng: Rng, { model, dataset }: NameParts): string {
  return pick(rng, DESCRIPTIONS).replace('{model}', model).replace('{dataset}', dataset);
}

/** 1 to 12, mostly few: most jobs are run once or twice. */
export function versionCountOf(rng: Rng): number {
  return 1 + Math.floor(rng() ** 2 * 12);
}

/**
 * `n` realistic jobs, identical for the same `(n, seed)`. With n >= 23 every status 0..22 is
 * present in workspace "0"; ids are unique, most modest, some above 2^53.
 */
export function generateJobs(n: number, seed = 1): EmulatorJob[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`generateJobs: n must be a non-negative integer, got ${n}`);
  const rng = mulberry32(seed);
  const forced = shuffledStatuses(rng);
  const usedIds = new Set<bigint>();
  const jobs: EmulatorJob[] = [];
  const names: NameParts[] = [];
  let bigJobIds = 0;
  let bigVersionIds = 0;
  for (let i = 0; i < n; i++) {
    const parts = jobName(rng, names);
    names.push(parts);
    const { name } = parts;
    let jobId: bigint;
    if (i % 17 === 5) jobId = bigJobIds++ === 0 ? TWO_53 + 1n : bigId(rng); // 2^53+1: the first double-unsafe integer
    else jobId = modestId(rng);
    while (usedIds.has(jobId)) jobId += 1n;
    usedIds.add(jobId);
    let versionId: bigint;
    if (i % 19 === 11) versionId = bigVersionIds++ === 0 ? 18446744073709551n : bigId(rng);
    else versionId = modestId(rng);
    const status = forced[i] ?? pickStatus(rng);
    const createTime = END - YEAR + Math.floor(rng() * YEAR);
    const duration = NOT_STARTED.has(status)
      ? 0
      : Math.min(logUniform(rng, MIN_DURATION, MAX_DURATION), END - createTime);
    const jobDesc = describeJob(rng, parts);
    const versionCount = versionCountOf(rng);
    const roll = rng();
    const workspaceId = i < STATUS_CODES || roll >= 0.13 ? '0' : roll < 0.1 ? 'ws-7f3a' : 'ws-b21c';
    jobs.push({ jobId, jobName: name, versionId, status, createTime, duration, jobDesc, versionCount, workspaceId });
  }
  return jobs;
}

/** Hand-written jobs for cases a generator would only hit by luck. */
function edgeJobs(): EmulatorJob[] {
  return [
    // The seed's own response sample, verbatim.
    {
      jobId: 10n, jobName: 'testModelArtsJob', versionId: 10n, status: 10, createTime: 1524189990635,
      duration: 532003, jobDesc: 'This is ModelArts job', versionCount: 5, workspaceId: '0',
    },
    // Java's Long.MAX_VALUE, and a description that needs JSON escaping.
    {
      jobId: 9223372036854775807n, jobName: 'ocr-中文票据-识别-v2', versionId: 9223372036854775806n, status: 8,
      createTime: END - 3 * 24 * 3600 * 1000, duration: 3 * 24 * 3600 * 1000 - 120_000,
      jobDesc: 'Path "C:\\data\\ocr"\nsecond line\ttabbed', versionCount: 12, workspaceId: '0',
    },
    // Astral-plane characters: a code point is not a UTF-16 code unit.
    {
      jobId: 77n, jobName: 'Emoji-🚀-launch-detector', versionId: 78n, status: 1, createTime: END - 60_000,
      duration: 0, jobDesc: '', versionCount: 1, workspaceId: '0',
    },
  ];
}

let memo: EmulatorJob[] | undefined;

/** The demo data set: generateJobs(240, 1) plus a few hand-written edge jobs. Frozen and shared. */
export const defaultJobs = (): EmulatorJob[] => {
  memo ??= Object.freeze([...generateJobs(240, 1), ...edgeJobs()].map((job) => Object.freeze(job))) as EmulatorJob[];
  return memo;
};
