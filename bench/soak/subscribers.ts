/**
 * The live side of npm run soak: `count` SSE subscribers (bench/lib/sse.ts, a socket each) that come
 * and go for the whole run. Each lives a random 20-90 s, then hangs up and a fresh one takes its
 * place, with a new credential (one of lib/mix.ts's 20) and page: a steady churn of streams,
 * and of pollers, since a tenth of the subscribers watch pages few others watch, whose pollers
 * stop when their last subscriber leaves and start again with the next.
 */
import { CALLERS, DOCUMENT, tokenOf } from '../lib/mix.ts';
import { openSse, type SseStream } from '../lib/sse.ts';
import { Tally, judge } from './answers.ts';

/** The query's document and selection, as the live twin. */
export const LIVE_DOCUMENT = DOCUMENT.replace(/^query Jobs/, 'subscription LiveJobs');
const PER_PAGE = 10;
/** What dashboards watch: the running jobs (they change every second), the default list, the newest. */
const WATCHED = [
  { page: 1, perPage: PER_PAGE, sortBy: 'CREATE_TIME', order: 'DESC', status: 'RUNNING' },
  { page: 2, perPage: PER_PAGE, sortBy: 'CREATE_TIME', order: 'DESC', status: 'RUNNING' },
  { page: 1, perPage: PER_PAGE, sortBy: 'JOB_NAME', order: 'ASC' },
  { page: 1, perPage: PER_PAGE, sortBy: 'CREATE_TIME', order: 'DESC' },
];
const RARE_SHARE = 0.1;
const RARE_PAGES = 28; // pages 3..30 of the default list: 20 x 28 keys for a tenth of the subscribers
const RESUBSCRIBE_MS = 1000; // after a stream ended early, as a UI waits before it tries again

export interface Subscribers {
  /** Streams open now (opened, not yet ended or closed). */
  readonly open: number;
  /** Events received, streams opened, streams closed at the end of their life. */
  readonly events: number;
  readonly opened: number;
  readonly retired: number;
  /** Expected endings (a stream whose first poll met an injected fault). */
  expected: Tally;
  /** Hangs up every stream; none opens again. */
  stop(): void;
}

export function startSubscribers(url: string, count: number, rampMs: number, unexpected: Tally, lifeMs: [number, number]): Subscribers {
  const endpoint = new URL('/graphql', url);
  const expected = new Tally();
  const streams = new Set<SseStream>();
  const timers = new Set<NodeJS.Timeout>();
  // The subscribers of a key get the same bytes for a change: judge them once.
  const lastPage = new Map<string, string>();
  let running = true;
  let events = 0;
  let opened = 0;
  let retired = 0;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };

  function open(): void {
    if (!running) return;
    const token = tokenOf(Math.floor(Math.random() * CALLERS));
    const variables = Math.random() < RARE_SHARE
      ? { page: 3 + Math.floor(Math.random() * RARE_PAGES), perPage: PER_PAGE, sortBy: 'JOB_NAME', order: 'ASC' }
      : WATCHED[Math.floor(Math.random() * WATCHED.length)];
    const body = JSON.stringify({ query: LIVE_DOCUMENT, variables });
    const key = `${token} ${body}`;
    let paged = false; // had a page
    let faulted = false; // began with an upstream error, as a fault explains
    opened++;
    const stream = openSse(endpoint, body, { 'x-auth-token': token }, {
      next(data) {
        events++;
        if (data === lastPage.get(key)) {
          paged = true;
          return;
        }
        const verdict = judge(data, PER_PAGE);
        if (verdict.kind === 'page') {
          paged = true;
          lastPage.set(key, data);
        } else if (verdict.kind === 'fault' && !paged) {
          faulted = true;
          expected.add(`stream began with ${verdict.code}, then completed`);
        } else {
          // After a page, transient upstream failures must send nothing (DESIGN.md "Live updates").
          unexpected.add(verdict.kind === 'fault' ? `live: ${verdict.code} after a page` : `live: ${verdict.what}`, data);
        }
      },
      end(reason) {
        streams.delete(stream);
        clearTimeout(life);
        timers.delete(life);
        if (!(faulted && reason === 'complete')) unexpected.add(`live: stream ended ${paged ? 'after' : 'before'} its first page (${reason})`);
        later(RESUBSCRIBE_MS, open);
      },
    });
    streams.add(stream);
    const life = later(lifeMs[0] + Math.random() * (lifeMs[1] - lifeMs[0]), () => {
      stream.close();
      streams.delete(stream);
      retired++;
      if (!paged) unexpected.add('live: a stream without a page for its whole life');
      open();
    });
  }

  for (let i = 0; i < count; i++) later((i * rampMs) / count, open);
  return {
    get open() {
      return streams.size;
    },
    get events() {
      return events;
    },
    get opened() {
      return opened;
    },
    get retired() {
      return retired;
    },
    expected,
    stop() {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const stream of streams) stream.close();
      streams.clear();
    },
  };
}
