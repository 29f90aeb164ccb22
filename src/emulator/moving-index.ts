// The listing of an emulator whose data moves with a clock. The data at one clock value is
// materialized and indexed on the first request that sees that value and kept until the clock
// shows another, so the requests in between cost what they cost on static data, and memory
// holds one data set however long the emulator runs.
import type { EmulatorJob } from './dataset.ts';
import { createJobIndex } from './listing.ts';
import type { JobIndex } from './listing.ts';
import { planMotion, planProblems } from './motion.ts';

/** Data that moves with a clock (see motion.ts for how); every field is optional. */
export interface Motion {
  /** ms, read once per listed page; fractional values are floored. Default Date.now. */
  clock?: () => number;
  /** clock value at which the data equals the jobs given; default clock() at creation, floored */
  epoch?: number;
  /** ms between two steps, each moving one job one state on; default 4000 */
  stepMs?: number;
}

/** Problems with `motion`, worded for createEmulator's error; empty when it is usable. */
export function motionProblems(motion: Motion): string[] {
  const clockProblem = motion.clock === undefined || typeof motion.clock === 'function' ? [] : ['motion.clock must be a function'];
  return [...clockProblem, ...planProblems(motion)];
}

export function createMovingIndex(jobs: readonly EmulatorJob[], motion: Motion): JobIndex {
  const clock = motion.clock ?? Date.now;
  const epoch = motion.epoch ?? Math.floor(clock());
  if (!Number.isSafeInteger(epoch)) throw new TypeError(`createEmulator: motion.clock() gave ${epoch}, not a number of ms`);
  const at = planMotion(jobs, { epoch, stepMs: motion.stepMs });
  // The jobs the motion adds all go to workspace "0", which always exists: the given jobs decide the rest.
  const workspaces = new Set(jobs.map((job) => job.workspaceId));
  let shown: { t: number; index: JobIndex } | undefined;
  return {
    workspaceExists: (id) => workspaces.has(id),
    list(query) {
      // One clock read per page, so that a page is the data at a single moment.
      const t = Math.floor(clock());
      if (shown?.t !== t) shown = { t, index: createJobIndex(at(t)) };
      return shown.index.list(query);
    },
    search(query, reading) {
      const t = Math.floor(clock());
      if (shown?.t !== t) shown = { t, index: createJobIndex(at(t)) };
      return shown.index.search(query, reading);
    },
  };
}
