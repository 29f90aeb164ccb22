/**
 * The poll loop's schedule, exactly, on fake timers (the socket tests check the same behaviour
 * roughly, in real time): jitter within ±10 %, waits doubling after transient failures up to the
 * ceiling and back to the interval after a success, a page published only when it changed, and
 * stop() aborting the call in flight. The client here is a scripted UpstreamClient: what it
 * answers is the point, not how it reaches the upstream.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { TrainingJobPage, TrainingJobsQuery } from '../../src/domain.ts';
import { GatewayError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import type { LiveEvent } from '../../src/live/events.ts';
import { createPoller } from '../../src/live/poller.ts';
import type { CallSignal, UpstreamCall, UpstreamClient, UpstreamRequest } from '../../src/upstream/client.ts';
import { stubClient } from '../support/stub-client.ts';

const QUERY: TrainingJobsQuery = { status: undefined, page: 1, perPage: 10, sortBy: 'JOB_NAME', order: 'ASC', search: undefined, workspaceId: '0' };
const page = (totalCount: number): TrainingJobPage => ({ jobs: [], totalCount, remainingJobs: 3, maxRunningJobs: 5, page: 1, perPage: 10 });
const unavailable = () => new GatewayError('UPSTREAM_UNAVAILABLE', 'down');

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

/** A client answering from a script, one entry per call, recording when each call was made. */
function scripted(answers: Array<TrainingJobPage | GatewayError | 'hang'>) {
  const calls: Array<{ at: number; signal: CallSignal | undefined }> = [];
  const client: UpstreamClient = stubClient((_request: UpstreamRequest, call: UpstreamCall) => {
      calls.push({ at: Date.now(), signal: call.signal });
      const answer = answers[calls.length - 1] ?? page(1);
      if (answer === 'hang') return new Promise(() => {});
      return answer instanceof GatewayError ? Promise.reject(answer) : Promise.resolve(answer);
  });
  return { client, calls };
}

function start(answers: Parameters<typeof scripted>[0], random = () => 0.5) {
  const { client, calls } = scripted(answers);
  const events: LiveEvent[] = [];
  const poller = createPoller({
    client, query: QUERY, token: 't', pollMs: 1000, maxBackoffMs: 5000, random,
    log: createLogger('silent'), label: 'test', publish: (event) => void events.push(event),
  });
  poller.start();
  const gaps = () => calls.slice(1).map((c, i) => c.at - calls[i]!.at);
  return { poller, calls, events, gaps };
}

it.each([
  [0, 900],
  [0.5, 1000],
  [0.999, 1100],
])('waits the interval with its jitter (random %f: %i ms)', async (r, ms) => {
  const { calls, gaps } = start([], () => r);
  await vi.advanceTimersByTimeAsync(ms * 3 + 1);
  expect(calls).toHaveLength(4);
  for (const gap of gaps()) expect(gap).toBeCloseTo(ms, -1);
});

it('doubles its wait after each transient failure, up to the ceiling, and returns to the interval', async () => {
  const { calls, events, gaps } = start([page(1), unavailable(), unavailable(), unavailable(), unavailable(), page(1), page(1)]);
  await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 5000 + 5000 + 1000 + 1);
  expect(calls).toHaveLength(7);
  expect(gaps()).toEqual([1000, 2000, 4000, 5000, 5000, 1000]);
  // Only the first page: the failures were silent and the page did not change.
  expect(events.map((e) => e.kind)).toEqual(['page']);
});

it('publishes a page only when it differs from the last one published', async () => {
  const { events } = start([page(1), page(1), page(2), page(2), page(1)]);
  await vi.advanceTimersByTimeAsync(4001);
  expect(events.map((e) => e.kind === 'page' && e.page.totalCount)).toEqual([1, 2, 1]);
});

it('publishes a transient failure only while no page was published, and keeps polling', async () => {
  const { calls, events } = start([unavailable(), page(1)]);
  await vi.advanceTimersByTimeAsync(2001);
  expect(calls).toHaveLength(2);
  expect(events).toMatchObject([{ kind: 'error', final: false, error: { code: 'UPSTREAM_UNAVAILABLE' } }, { kind: 'page' }]);
});

it('publishes a permanent failure as final and stops', async () => {
  const { calls, events } = start([page(1), new GatewayError('FORBIDDEN', 'no')]);
  await vi.advanceTimersByTimeAsync(10_000);
  expect(calls).toHaveLength(2);
  expect(events).toMatchObject([{ kind: 'page' }, { kind: 'error', final: true, error: { code: 'FORBIDDEN' } }]);
});

it('aborts the call in flight on stop, and schedules nothing more', async () => {
  const { poller, calls } = start(['hang']);
  expect(calls[0]!.signal?.aborted).toBe(false);
  poller.stop();
  expect(calls[0]!.signal?.aborted).toBe(true);
  await vi.advanceTimersByTimeAsync(10_000);
  expect(calls).toHaveLength(1);
  expect(vi.getTimerCount()).toBe(0);
});
