/**
 * Fail fast while the upstream is hard down: after `threshold` consecutive unavailability
 * failures (refused or reset connections, 502/503/504, deadlines passed), stop calling it for
 * `coolOffMs`, then let a single probe through; its outcome closes or re-opens the circuit.
 * Any answer that is not an unavailability (a page, a 400, a 429) proves the upstream is up.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit; default 10; 0 disables the breaker. */
  threshold?: number;
  /** How long the circuit stays open before a probe; default 5000 ms. */
  coolOffMs?: number;
  now?: () => number;
}

/** Permission for one attempt; a probe is the single attempt let through a half-open circuit. */
export type Pass = 'call' | 'probe';

export interface Breaker {
  /** A pass for an attempt, or undefined when the circuit is open. */
  allow(): Pass | undefined;
  /** The outcome of an attempt: the upstream is up, down, or we cannot tell (cancelled). */
  record(pass: Pass, outcome: 'up' | 'down' | 'unknown'): void;
  readonly state: BreakerState;
}

export function createBreaker({ threshold = 10, coolOffMs = 5000, now = Date.now }: BreakerOptions = {}): Breaker {
  let failures = 0;
  let openUntil = 0;
  let probing = false;
  const tripped = () => threshold > 0 && failures >= threshold;

  return {
    allow() {
      if (!tripped()) return 'call';
      if (probing || now() < openUntil) return undefined;
      probing = true;
      return 'probe';
    },
    record(pass, outcome) {
      if (pass === 'probe') probing = false;
      if (outcome === 'up') failures = 0;
      if (outcome !== 'down') return;
      failures++;
      // Open on reaching the threshold, and again when a probe fails; stragglers that were in
      // flight before the circuit opened do not extend the cool-off.
      if (failures === threshold || (pass === 'probe' && tripped())) openUntil = now() + coolOffMs;
    },
    get state(): BreakerState {
      if (!tripped()) return 'closed';
      return probing || now() >= openUntil ? 'half-open' : 'open';
    },
  };
}
