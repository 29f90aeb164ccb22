// Data that moves with a clock (DESIGN.md "Live updates", demo mode), as a pure function of the
// clock value: no timers and no history, so the same value always gives the same jobs, jumping
// back is as cheap as going forward, and a month-long demo costs what a minute-long one does.
//
// Two queues, both first in first out (at epoch, oldest create_time first, then lowest job_id).
// Steps alternate between a start (the job at the head of WAITING begins RUNNING) and a finish
// (the job at the head of RUNNING ends COMPLETED or FAILED, and a new WAITING job joins the back
// of its queue); the first step is a start unless nothing waits. The k-th start and the k-th
// finish so fall on known steps, and any job's state at any step is arithmetic, not a replay.
import { describeJob, jobName, modestId, mulberry32, versionCountOf } from './dataset.ts';
import type { EmulatorJob } from './dataset.ts';

/** The moving part of a data set: at `epoch` the jobs are exactly the ones given. */
export interface MotionPlan {
  /** clock value (ms) at which the data equals the jobs given */
  epoch: number;
  /** ms between two steps; default 4000 */
  stepMs?: number;
}

export const DEFAULT_STEP_MS = 4000;
const WAITING = 7;
const RUNNING = 8;
const COMPLETED = 10;
const FAILED = 11;
/** Finished jobs the motion added that stay listed; older ones drop off, so the data stays bounded. */
const KEPT_FINISHED = 100;
const TWO_53 = 1n << 53n;

/** A job of the given set and its place in it. */
type Slot = readonly [index: number, job: EmulatorJob];

/** What never changes for one data set: who waits and who runs at epoch, in the order they move. */
interface Lanes {
  jobs: readonly EmulatorJob[];
  /** the WAITING jobs, in the order they start */
  waiting: readonly Slot[];
  /** the RUNNING jobs, in the order they finish */
  running: readonly Slot[];
  /**
   * Finishes before the first job that waited at epoch can finish: one per running job, or one
   * that ends nothing when no job waits or runs, so that the first finish still adds a job.
   */
  lead: number;
  /** with nothing waiting at epoch the first step is a finish, which brings a job to start */
  startsFirst: boolean;
  /** ids of added jobs count up from here, above every given id below 2^53 (the big ones lie far above) */
  firstId: bigint;
}

/** Where the motion stands at one clock value. */
interface Moment {
  lanes: Lanes;
  now: number;
  epoch: number;
  stepMs: number;
  starts: number;
  finishes: number;
}

const oldestFirst = (a: EmulatorJob, b: EmulatorJob): number =>
  a.createTime - b.createTime || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);

function lanesOf(jobs: readonly EmulatorJob[]): Lanes {
  const queue = (status: number): Slot[] =>
    jobs.flatMap((job, i): Slot[] => (job.status === status ? [[i, job]] : [])).sort((a, b) => oldestFirst(a[1], b[1]));
  const waiting = queue(WAITING);
  const running = queue(RUNNING);
  let firstId = 10n ** 12n; // 13 digits: the length of the newest real ids
  for (const { jobId } of jobs) if (jobId < TWO_53 && jobId >= firstId) firstId = jobId + 1n;
  const lead = waiting.length + running.length === 0 ? 1 : running.length;
  return { jobs, waiting, running, lead, startsFirst: waiting.length > 0, firstId };
}

const stepTime = (m: Moment, step: number): number => m.epoch + step * m.stepMs;
const startStep = (m: Moment, k: number): number => (m.lanes.startsFirst ? 2 * k - 1 : 2 * k);
const finishStep = (m: Moment, k: number): number => (m.lanes.startsFirst ? 2 * k : 2 * k - 1);

/** About one run in four fails; hashed from the id so that a job always ends the same way. */
function ending(jobId: bigint): number {
  const seed = Number(BigInt.asUintN(32, jobId ^ (jobId >> 32n)));
  return mulberry32(seed)() < 0.25 ? FAILED : COMPLETED;
}

/** The `j`-th job of the waiting queue (from 1), as it stands at `m`; unchanged while it waits. */
function advance(m: Moment, job: EmulatorJob, j: number): EmulatorJob {
  if (m.starts < j) return job;
  const started = stepTime(m, startStep(m, j));
  const k = m.lanes.lead + j; // it finishes after everything that was ahead of it
  if (m.finishes < k) return { ...job, status: RUNNING, duration: m.now - started };
  return { ...job, status: ending(job.jobId), duration: stepTime(m, finishStep(m, k)) - started };
}

/** The `k`-th job running at epoch (from 1): its duration grows on from the one given. */
function runOn(m: Moment, job: EmulatorJob, k: number): EmulatorJob {
  if (m.finishes < k) return m.now <= m.epoch ? job : { ...job, duration: job.duration + m.now - m.epoch };
  return { ...job, status: ending(job.jobId), duration: job.duration + stepTime(m, finishStep(m, k)) - m.epoch };
}

/** The job the `i`-th finish (from 0) adds: a realistic name, in the default workspace, waiting. */
function added(m: Moment, i: number): EmulatorJob {
  const rng = mulberry32(i);
  const parts = jobName(rng, []);
  return {
    jobId: m.lanes.firstId + BigInt(i),
    jobName: parts.name,
    versionId: modestId(rng),
    status: WAITING,
    createTime: stepTime(m, finishStep(m, i + 1)),
    duration: 0,
    jobDesc: describeJob(rng, parts),
    versionCount: versionCountOf(rng),
    workspaceId: '0',
  };
}

function materialize(lanes: Lanes, epoch: number, stepMs: number, now: number): EmulatorJob[] {
  const steps = Math.floor(Math.max(0, now - epoch) / stepMs);
  const starts = lanes.startsFirst ? Math.ceil(steps / 2) : Math.floor(steps / 2);
  const m: Moment = { lanes, now, epoch, stepMs, starts, finishes: steps - starts };
  const { jobs, waiting, running, lead } = lanes;
  const out = jobs.slice();
  running.forEach(([index, job], k) => void (out[index] = runOn(m, job, k + 1)));
  waiting.forEach(([index, job], j) => void (out[index] = advance(m, job, j + 1)));
  // Added job i finishes at finish lead + waiting + i + 1: keep those still moving and the last few done.
  const low = Math.max(0, m.finishes - lead - waiting.length - KEPT_FINISHED);
  for (let i = low; i < m.finishes; i++) out.push(advance(m, added(m, i), waiting.length + i + 1));
  return out;
}

/** Problems with a plan's numbers, worded for an error message; empty when it is usable. */
export function planProblems(plan: Partial<MotionPlan>): string[] {
  const problems: string[] = [];
  if (plan.epoch !== undefined && !Number.isSafeInteger(plan.epoch)) problems.push('motion.epoch must be an integer');
  const { stepMs } = plan;
  if (stepMs !== undefined && !(Number.isSafeInteger(stepMs) && stepMs >= 1)) problems.push('motion.stepMs must be a positive integer');
  return problems;
}

/**
 * The jobs at each clock value, for one data set: the queues are worked out once, then each call
 * costs O(jobs) whatever the clock says. `jobs` is copied and never mutated; a job that moved is
 * a new object, one that did not is the very object given.
 */
export function planMotion(jobs: readonly EmulatorJob[], plan: MotionPlan): (t: number) => EmulatorJob[] {
  const problems = planProblems(plan);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const lanes = lanesOf([...jobs]);
  const { epoch, stepMs = DEFAULT_STEP_MS } = plan;
  return (t) => {
    if (!Number.isFinite(t)) throw new RangeError(`motion: the clock gave ${t}, not a number of ms`);
    return materialize(lanes, epoch, stepMs, Math.floor(t));
  };
}

/**
 * The jobs as an emulator with `motion` serves them at clock value `t` (fractional ms are
 * dropped), in no particular order: the listing sorts. Pure: the same arguments give equal jobs.
 */
export function jobsAt(jobs: readonly EmulatorJob[], plan: MotionPlan, t: number): EmulatorJob[] {
  return planMotion(jobs, plan)(t);
}
