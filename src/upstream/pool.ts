/**
 * At most `limit` upstream calls in flight for one operation (or one live poll): a status group's
 * branches and the counts' calls queue here, so one request never opens 24 connections at once
 * (DESIGN.md "Status groups and counts": 8).
 */
export interface CallPool {
  /** Runs `task` when a slot is free; its promise settles as the task's does. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

export const POOL_SIZE = 8;

export function createCallPool(limit = POOL_SIZE): CallPool {
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finished call hands its slot to the next in line, so no newcomer slips in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return {
    async run(task) {
      if (running < limit) running++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
