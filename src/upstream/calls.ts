/**
 * How a field's several upstream calls run together (a status group's branches, the counts,
 * v2's pages beyond 50 jobs): in the operation's pool, under one deadline, the lowest failure
 * first.
 */
import type { TrainingJobPage } from '../domain.ts';
import { cancelledError, timeoutError } from './classify.ts';
import type { FieldRun, UpstreamRequest } from './dialect.ts';
import { CallController, type CallSignal } from './signal.ts';

/**
 * Runs `tasks` at once (the pool paces their calls) and returns every result in order, or
 * throws the lowest task's failure: when task i fails, the tasks after it are aborted and those
 * before it awaited, so the error a client sees does not depend on which answer came first.
 * The deadline covers the whole field (UPSTREAM_TIMEOUT_MS): whatever is unfinished then fails
 * as UPSTREAM_TIMEOUT.
 */
export async function settleInOrder<T>(tasks: ReadonlyArray<(signal: CallSignal) => Promise<T>>, signal: CallSignal | undefined, timeoutMs: number): Promise<T[]> {
  const controllers = tasks.map(() => new CallController());
  const settled = tasks.map(() => false);
  const why: Array<'deadline' | 'client' | 'sibling' | undefined> = tasks.map(() => undefined);
  const abortFrom = (first: number, reason: 'deadline' | 'client' | 'sibling') => {
    for (let i = first; i < tasks.length; i++) {
      if (settled[i] || why[i] !== undefined) continue;
      why[i] = reason;
      controllers[i]!.abort();
    }
  };
  const onClientGone = () => abortFrom(0, 'client');
  if (signal?.aborted) onClientGone();
  signal?.addEventListener('abort', onClientGone, { once: true });
  const timer = setTimeout(abortFrom, timeoutMs, 0, 'deadline');
  const results: Array<{ value: T } | { error: unknown }> = [];
  try {
    await Promise.all(
      tasks.map((task, i) =>
        task(controllers[i]!.signal).then(
          (value) => {
            settled[i] = true;
            results[i] = { value };
          },
          (error: unknown) => {
            settled[i] = true;
            results[i] = { error };
            abortFrom(i + 1, 'sibling');
          },
        ),
      ),
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onClientGone);
  }
  const values: T[] = [];
  for (const [i, result] of results.entries()) {
    if ('value' in result) values.push(result.value);
    else throw why[i] === 'deadline' ? timeoutError() : result.error;
  }
  return values;
}

/** Reads one page in a slot of the pool, unless this call was aborted while it waited. */
export function pooled(run: FieldRun, request: UpstreamRequest, signal: CallSignal): Promise<TrainingJobPage> {
  return run.pool.run(() => (signal.aborted ? Promise.reject(cancelledError()) : run.fetch(request, signal)));
}
