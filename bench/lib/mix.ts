/**
 * The request mix npm run bench:fleet sends (and npm run soak, with its own shares): what many
 * dashboards behind one load balancer ask. Request i of a run is a pure function of (seed, i), so
 * every configuration gets the very same sequence, however many connections send it and whichever
 * finishes first.
 *
 * - Callers: CALLERS credentials (x-auth-token), one drawn uniformly per request. The page cache
 *   never shares a page between credentials, so a "page" below is cached once per caller.
 * - Hot: with probability `hot`, one of the HOT argument sets, Zipf-like (weights 1, 1/2 ... 1/5):
 *   the default list, the newest jobs, the running ones, page 2, the failed ones.
 * - Cold: otherwise, arguments drawn from a space far larger than a run: any sort field and order,
 *   then a plain page (up to the last, at most 200), a status filter, or a name search; perPage
 *   from `coldPerPage`.
 */

export const CALLERS = 20;
/**
 * Jobs in the emulator for a page size. The emulator filters every job for each call, so fewer
 * jobs keep it from setting the pace on the shared core; 12,000 give every hot argument set a full
 * page of 1000 (about 13% of jobs run, 87% are in workspace 0).
 */
export const jobsFor = (perPage: number): number => (perPage >= 1000 ? 12_000 : 1000);

export const DOCUMENT =
  'query Jobs($page: Int!, $perPage: Int!, $status: TrainingJobStatus, $sortBy: TrainingJobSortField!, $order: SortOrder!, $search: String) { ' +
  'trainingJobs(page: $page, perPage: $perPage, status: $status, sortBy: $sortBy, order: $order, search: $search) { totalCount ' +
  'pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs } ' +
  'jobs { id name description status statusCode versionId versionCount createdAt duration } } }';

export interface JobsArgs {
  page: number;
  perPage: number;
  sortBy: string;
  order: 'ASC' | 'DESC';
  status?: string;
  search?: string;
}

export interface Mix {
  /** Share of requests for a hot argument set, 0..1. */
  hot: number;
  /** perPage of the hot argument sets. */
  hotPerPage: number;
  /** perPage of a cold request: one of these, uniformly. */
  coldPerPage: number[];
  /** Jobs in the emulator: cold pages stay within the jobs they list. */
  jobs: number;
}

export interface MixRequest {
  caller: number;
  token: string;
  args: JobsArgs;
  /** -1 for a cold request, else the hot argument set's rank (0 = hottest). */
  hot: number;
  body: string;
}

type Hot = Omit<JobsArgs, 'perPage'>;
const HOT: readonly Hot[] = [
  { page: 1, sortBy: 'JOB_NAME', order: 'ASC' },
  { page: 1, sortBy: 'CREATE_TIME', order: 'DESC' },
  { page: 1, sortBy: 'CREATE_TIME', order: 'DESC', status: 'RUNNING' },
  { page: 2, sortBy: 'JOB_NAME', order: 'ASC' },
  { page: 1, sortBy: 'CREATE_TIME', order: 'DESC', status: 'FAILED' },
];
export const HOT_SETS = HOT.length;
const HOT_WEIGHTS = HOT.map((_, k) => 1 / (k + 1));
const HOT_TOTAL = HOT_WEIGHTS.reduce((a, b) => a + b, 0);

const SORTS = ['JOB_NAME', 'CREATE_TIME', 'DURATION', 'STATUS', 'VERSION_COUNT', 'JOB_DESC'];
const STATUSES = ['COMPLETED', 'RUNNING', 'FAILED', 'KILLED', 'CANCELED', 'WAITING'];
/** Words people type into the search box: models, data sets, tasks of the emulator's jobs. */
const SEARCHES = [
  'resnet', 'yolo', 'bert', 'vit', 'unet', 'llama', 'gpt2', 't5', 'wav2vec', 'conformer', 'mobilenet', 'deeplab',
  'coco', 'imagenet', 'cifar', 'voc', 'squad', 'weibo', 'aishell', 'cityscapes', 'medical', 'helmet', 'news', 'chat',
  'finetune', 'pretrain', 'detection', 'segmentation', 'classification', 'asr', 'sft', 'distill', 'ner', 'qa',
];

/** A small seeded generator (xorshift-multiply); one per request, from (seed, i). */
function generator(seed: number, i: number): () => number {
  let state = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const below = (rng: () => number, n: number) => Math.floor(rng() * n);
const oneOf = <T>(rng: () => number, items: readonly T[]): T => items[below(rng, items.length)] as T;

function hotRank(rng: () => number): number {
  let roll = rng() * HOT_TOTAL;
  for (let k = 0; k < HOT_WEIGHTS.length; k++) {
    roll -= HOT_WEIGHTS[k] as number;
    if (roll < 0) return k;
  }
  return 0;
}

function cold(rng: () => number, perPage: number, jobs: number): JobsArgs {
  const base = { perPage, sortBy: oneOf(rng, SORTS), order: rng() < 0.5 ? 'ASC' as const : 'DESC' as const };
  const pages = (matching: number) => 1 + below(rng, Math.max(1, Math.min(200, Math.floor(matching / perPage))));
  const listed = 0.87 * jobs; // workspace 0
  const kind = rng();
  // A name search matches a few dozen to a few hundred jobs, a status filter about a tenth of them.
  if (kind < 0.2) return { ...base, page: pages(0.05 * listed), search: oneOf(rng, SEARCHES) };
  if (kind < 0.4) return { ...base, page: pages(0.1 * listed), status: oneOf(rng, STATUSES) };
  return { ...base, page: pages(listed) };
}

export const tokenOf = (caller: number): string => `fleet-caller-${String(caller + 1).padStart(2, '0')}`;

/** Request i of the run seeded `seed`. */
export function requestAt(mix: Mix, seed: number, i: number): MixRequest {
  const rng = generator(seed, i);
  const caller = below(rng, CALLERS);
  const isHot = rng() < mix.hot;
  const hot = isHot ? hotRank(rng) : -1;
  const args: JobsArgs = isHot ? { ...(HOT[hot] as Hot), perPage: mix.hotPerPage } : cold(rng, oneOf(rng, mix.coldPerPage), mix.jobs);
  return { caller, token: tokenOf(caller), args, hot, body: JSON.stringify({ query: DOCUMENT, variables: args }) };
}

/** Every caller's every hot argument set, once. */
export function hotSweep(mix: Mix): MixRequest[] {
  return Array.from({ length: CALLERS * HOT.length }, (_, i) => {
    const caller = Math.floor(i / HOT.length);
    const hot = i % HOT.length;
    const args: JobsArgs = { ...(HOT[hot] as Hot), perPage: mix.hotPerPage };
    return { caller, token: tokenOf(caller), args, hot, body: JSON.stringify({ query: DOCUMENT, variables: args }) };
  });
}

/** What the page cache tells apart: the caller and every argument. */
export const cacheKey = ({ caller, args: a }: MixRequest): string =>
  [caller, a.page, a.perPage, a.sortBy, a.order, a.status ?? '', a.search ?? ''].join(' ');
