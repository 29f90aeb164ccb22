/**
 * From the events the subscribers saw to the delays npm run bench:live reports. The hot path
 * only appends four numbers per event (Arrivals); everything else is worked out once the window
 * is over, so the clients spend their core reading sockets, not keeping statistics.
 */

/** Every event recorded during the window, as columns: who, which key, which change, when. */
export interface Arrivals {
  sub: number[];
  key: number[];
  /** The clock value (ms) at which the emulator's data became what the event shows. */
  change: number[];
  /** Date.now() when the event's last byte was read. */
  at: number[];
}

export const arrivals = (): Arrivals => ({ sub: [], key: [], change: [], at: [] });

/** Subscriber i watches key i mod keys: keys get their subscribers in turn while the streams open. */
export const keyOfSub = (sub: number, keys: number): number => sub % keys;

export interface Spread {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  const s = Float64Array.from(values).sort();
  const q = (p: number) => (s.length ? (s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number) : NaN);
  return { p50: q(0.5), p99: q(0.99), max: s.length ? (s[s.length - 1] as number) : NaN, n: s.length };
}

export interface Delays {
  /**
   * A change -> the moment the last subscriber of its key had it, or a newer page (a stream that
   * lags behind keeps only the newest page), over the (key, change) pairs some subscriber got.
   */
  toLast: Spread;
  /** A change -> its arrival at the first subscriber: the wait for the next poll, plus one upstream call. */
  toFirst: Spread;
  /** First -> last subscriber of a key: the gateway's fan-out. */
  fanOut: Spread;
  /** Change -> arrival, over every event received. */
  perEvent: Spread;
  /** Changes in the range, per key, and how many of them a poll saw (some subscriber got them). */
  changesPerKey: number;
  seenPerKey: number;
  /** (subscriber, change) pairs where the subscriber got a newer page instead of that change. */
  skipped: number;
  /** (subscriber, change) pairs where the subscriber got neither that change nor a newer one in time. */
  missing: number;
  /** The subscribers counted. */
  streaming: number;
}

/**
 * Delays for the changes at `from`..`to` (ms, multiples of stepMs), over the subscribers for
 * which `counted` holds (those streaming when the window began: a stream still waiting for its
 * first page is a matter of admission, not of delivery). Changes no poll saw (two ticks between
 * polls) are not delays: they count as unseen.
 */
export function delays(a: Arrivals, from: number, to: number, stepMs: number, keys: number, counted: Uint8Array): Delays {
  const subsTotal = counted.length;
  const perEvent: number[] = [];
  const bySub = Array.from({ length: subsTotal }, () => ({ change: [] as number[], at: [] as number[] }));
  const ticks = Array.from({ length: keys }, () => new Set<number>());
  for (let i = 0; i < a.at.length; i++) {
    if (!counted[a.sub[i] as number]) continue;
    const change = a.change[i] as number;
    const at = a.at[i] as number;
    const mine = bySub[a.sub[i] as number];
    mine?.change.push(change);
    mine?.at.push(at);
    if (change < from || change > to) continue;
    perEvent.push(at - change);
    ticks[a.key[i] as number]?.add(change);
  }
  const sorted = ticks.map((set) => [...set].sort((x, y) => x - y));
  // Per key and change: the first and the last subscriber's first page at least that new.
  const first = sorted.map((t) => t.map(() => Infinity));
  const last = sorted.map((t) => t.map(() => -Infinity));
  let skipped = 0;
  let missing = 0;
  for (let sub = 0; sub < subsTotal; sub++) {
    if (!counted[sub]) continue;
    const key = keyOfSub(sub, keys);
    const { change, at } = bySub[sub] as { change: number[]; at: number[] };
    const t = sorted[key] as number[];
    let j = 0;
    for (let k = 0; k < t.length; k++) {
      const tick = t[k] as number;
      while (j < change.length && (change[j] as number) < tick) j++;
      if (j === change.length) {
        missing += t.length - k;
        break;
      }
      if (change[j] !== tick) skipped++;
      const when = at[j] as number;
      (first[key] as number[])[k] = Math.min((first[key] as number[])[k] as number, when);
      (last[key] as number[])[k] = Math.max((last[key] as number[])[k] as number, when);
    }
  }
  const toLast: number[] = [];
  const toFirst: number[] = [];
  const fanOut: number[] = [];
  sorted.forEach((t, key) => t.forEach((tick, k) => {
    const f = (first[key] as number[])[k] as number;
    const l = (last[key] as number[])[k] as number;
    toFirst.push(f - tick);
    toLast.push(l - tick);
    fanOut.push(l - f);
  }));
  return {
    toLast: spread(toLast),
    toFirst: spread(toFirst),
    fanOut: spread(fanOut),
    perEvent: spread(perEvent),
    changesPerKey: Math.floor((to - from) / stepMs) + 1,
    seenPerKey: sorted.reduce((n, t) => n + t.length, 0) / keys,
    skipped,
    missing,
    streaming: counted.reduce((n, c) => n + c, 0),
  };
}
