/**
 * ISO 8601 durations <-> milliseconds, exact to the millisecond (DESIGN.md "Scalars").
 * Output uses days, hours, minutes and seconds; years and months are never used because their
 * length varies. Pure functions: undefined means "not a duration".
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,3}))?S)?)?$/;
const WEEKS = /^P(\d+)W$/;

/** Milliseconds of an ISO 8601 duration, or undefined. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const weeks = WEEKS.exec(value);
  if (weeks) return checked(Number(weeks[1]) * WEEK);
  const m = DURATION.exec(value);
  // "P" and "PT" alone match the pattern but name no amount.
  if (!m || value === 'P' || value.endsWith('T')) return undefined;
  const [, d, h, min, s, frac] = m;
  const ms =
    Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(min ?? 0) * MINUTE +
    Number(s ?? 0) * SECOND + Number((frac ?? '').padEnd(3, '0'));
  return checked(ms);
}

const checked = (ms: number) => (Number.isSafeInteger(ms) ? ms : undefined);

/** ISO 8601 from non-negative integer milliseconds (or an ISO 8601 string); else undefined. */
export function formatDuration(value: unknown): string | undefined {
  const ms = typeof value === 'string' ? parseDuration(value) : value;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) return undefined;
  if (ms === 0) return 'PT0S';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = Math.floor((ms % MINUTE) / SECOND);
  const millis = ms % SECOND;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds || millis) {
    time += millis ? `${seconds}.${String(millis).padStart(3, '0').replace(/0+$/, '')}S` : `${seconds}S`;
  }
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
