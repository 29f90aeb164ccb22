/**
 * When and how long to wait before trying the upstream again (DESIGN.md "Precise rules":
 * connection failures, 429, 502, 503 and 504 are retried, bounded, within the deadline;
 * nothing else). The GET is idempotent, so a retry never does anything twice.
 */

export const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/** Statuses that say the upstream itself is unavailable (they count towards the breaker). */
export const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

const BASE_MS = 100;
const CAP_MS = 2000;

/** Full jitter (a random wait up to an exponential ceiling), so retries from many callers spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1)));
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined if absent or garbage. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date always ends in GMT; Date.parse alone would read "1.5" or "-1" as dates.
  if (!/ GMT$/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
