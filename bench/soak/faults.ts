/**
 * Upstream faults for npm run soak: a share of the emulator's calls, at random moments, each
 * fault for one call only (emulator.setFault with `times: 1`). Every second the rate of the last
 * second decides how many faults the next one gets, so the share holds whatever the gateway's pace.
 *
 * The mix, by weight: what the gateway answers with an error (500 with a documented ModelArts
 * error body and HTML in a 200: UPSTREAM_ERROR; an answer later than UPSTREAM_TIMEOUT_MS:
 * UPSTREAM_TIMEOUT), what it retries and so mostly hides (a reset connection, a body cut short,
 * 503 and 429 with API-gateway error bodies: UPSTREAM_UNAVAILABLE or RATE_LIMITED only when every
 * attempt of one call meets a fault), and a slow answer within the deadline (no error at all).
 */
import type { Emulator, Fault } from '../../src/emulator/index.ts';

const MIX: ReadonlyArray<{ name: string; weight: number; fault: Fault }> = [
  { name: '500, ModelArts error body', weight: 30, fault: { status: 500, error: { shape: 'modelarts', code: 'ModelArts.0010', message: 'Internal error' } } },
  { name: '200 with an HTML body', weight: 5, fault: { status: 200, body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } } },
  { name: 'connection reset', weight: 20, fault: { reset: true } },
  { name: 'body cut short', weight: 20, fault: { truncate: true } },
  { name: '503, API gateway error body', weight: 10, fault: { status: 503, error: { shape: 'apigw', code: 'APIGW.0202', message: 'Service unavailable' } } },
  { name: '429, API gateway error body', weight: 5, fault: { status: 429, error: { shape: 'apigw', code: 'APIGW.0308', message: 'Too many requests' } } },
  { name: 'slow answer (1.5 s)', weight: 8, fault: { delayMs: 1500 } },
  // Rare: each holds a client for the whole deadline (10 s).
  { name: 'no answer within the deadline (11 s)', weight: 2, fault: { delayMs: 11_000 } },
];
const TOTAL = MIX.reduce((n, m) => n + m.weight, 0);

export interface Faults {
  /** Faults set, by name (each meets the next upstream call). */
  injected: Map<string, number>;
  total(): number;
  stop(): void;
}

function pick(): (typeof MIX)[number] {
  let roll = Math.random() * TOTAL;
  for (const m of MIX) {
    roll -= m.weight;
    if (roll < 0) return m;
  }
  return MIX[0] as (typeof MIX)[number];
}

export function startFaults(emulator: Emulator, share: number): Faults {
  const injected = new Map<string, number>();
  const pending = new Set<NodeJS.Timeout>();
  let seen = emulator.answered;
  const inject = () => {
    const m = pick();
    emulator.setFault({ ...m.fault, times: 1 });
    injected.set(m.name, (injected.get(m.name) ?? 0) + 1);
  };
  const second = setInterval(() => {
    const calls = emulator.answered - seen;
    seen = emulator.answered;
    const want = calls * share;
    const n = Math.floor(want) + (Math.random() < want % 1 ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        inject();
      }, Math.random() * 1000);
      pending.add(timer);
    }
  }, 1000);
  return {
    injected,
    total: () => [...injected.values()].reduce((a, b) => a + b, 0),
    stop() {
      clearInterval(second);
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      emulator.setFault(null);
    },
  };
}
