/**
 * What npm run bench:live subscribes to and how an event tells which change it shows. The
 * emulator's clock ticks once a second and no job changes status (a year per step), so every
 * running job's duration grows by exactly one second at each second: a page of running jobs
 * changes at every tick, and any job on it gives the tick (duration = base + (tick - epoch)).
 */
import { createEmulator, generateJobs, jobsAt, type Emulator } from '../../src/emulator/index.ts';
import { parseDuration } from '../../src/scalars/duration.ts';

export const TICK_MS = 1000;
export const PER_PAGE = 10;
const RUNNING = 8;

/** The query bench's selection, live, over the running jobs (so that every page moves). */
export const DOCUMENT = `subscription Live($page: Int!) {
  trainingJobs(status: RUNNING, page: $page, perPage: 10) {
    totalCount pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs }
    jobs { id name description status statusCode versionId versionCount createdAt duration }
  }
}`;

/** A key is (credential, exact upstream query): `pages` pages of running jobs per token. */
export function keyArgs(key: number, pages: number): { token: string; body: string } {
  const page = (key % pages) + 1;
  return { token: `live-bench-${Math.floor(key / pages)}`, body: JSON.stringify({ query: DOCUMENT, variables: { page } }) };
}

const JOBS = generateJobs(1000, 7);
const tick = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const plan = { epoch: tick(), stepMs: 365 * 86_400_000 };
const base = new Map(jobsAt(JOBS, plan, plan.epoch).filter((j) => j.status === RUNNING).map((j) => [String(j.jobId), j.duration]));

/** The emulator on a loopback port, its data moving as above; it counts what it answered. */
export function startEmulator(pages: number): Promise<Emulator> {
  const running = JOBS.filter((j) => j.status === RUNNING && j.workspaceId === '0').length;
  if (running < pages * PER_PAGE) throw new Error(`the data set has ${running} running jobs: fewer than ${pages} full pages`);
  return createEmulator({ jobs: JOBS, logRequests: false, motion: { clock: tick, ...plan } }).listen();
}

type Result = {
  data?: { trainingJobs?: { jobs?: Array<{ id: string; duration: string }> } | null };
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
};

/** The tick whose data an event shows, or what is wrong with the event. */
export function changeOf(data: string): number | string {
  const body = JSON.parse(data) as Result;
  const error = body.errors?.[0];
  if (error) return `error event ${error.extensions?.code ?? ''}: ${error.message ?? ''}`;
  const ticks = (body.data?.trainingJobs?.jobs ?? []).map((j) => plan.epoch + (parseDuration(j.duration) ?? NaN) - (base.get(j.id) ?? NaN));
  const t = ticks[0];
  const fine = t !== undefined && ticks.length === PER_PAGE && t % TICK_MS === 0 && ticks.every((x) => x === t);
  return fine ? t : 'an event that is not a full page of one tick';
}
