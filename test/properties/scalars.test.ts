// Property-based tests (fast-check) for the DateTime and Duration scalars (DESIGN.md "Scalars").
// Every property runs with a fixed seed so that CI runs are reproducible.

import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { formatDateTime, parseDateTime } from '../../src/scalars/date-time.ts';
import { formatDuration, parseDuration } from '../../src/scalars/duration.ts';
import { DAY_MS, MAX_MS, MIN_MS } from '../support/contract.ts';

const SEED = 42;

const FOUR_CENTURIES_MS = 146097 * 86_400_000; // the Gregorian calendar repeats every 400 years

/** Epoch ms of a UTC wall-clock time, years 0..99 included (Date.UTC maps those to 19xx). */
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) =>
  Date.UTC(y + 400, mo - 1, d, h, mi, s, ms) - FOUR_CENTURIES_MS;
const daysInMonth = (y: number, mo: number) => new Date(Date.UTC(y + 400, mo, 0)).getUTCDate();

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

// Days, hours, minutes, seconds in that order; no zero component; no trailing zero in the
// fraction; hours < 24, minutes < 60, seconds < 60 (checked separately).
const ISO_DURATION =
  /^P(?:[1-9]\d*D)?(?:T(?:[1-9]\d*H)?(?:[1-9]\d*M)?(?:(?:[1-9]\d*(?:\.\d{0,2}[1-9])?|0\.\d{0,2}[1-9])S)?)?$/;

/** Strings that look like a date-time or a duration often enough to reach deep into the parsers. */
const nearDateTime = fc.string({
  unit: fc.constantFrom('0', '1', '2', '3', '5', '9', '-', ':', 'T', 't', 'Z', 'z', '+', '.', ' ', '60', '2024-02-29', 'T23:59:59', '\u0660'),
  maxLength: 30,
});
const nearDuration = fc.string({
  unit: fc.constantFrom('P', 'T', 'W', 'D', 'H', 'M', 'S', 'Y', '.', ',', '-', '0', '1', '7', '9', '99999999999999999', '\u0661'),
  maxLength: 20,
});
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), // lone surrogates too
  nearDateTime,
  nearDuration,
);

describe('properties: DateTime', () => {
  it('round-trips any epoch millisecond in range through RFC 3339 UTC with 3 decimals', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.constantFrom(MIN_MS, MAX_MS, 0, -1, 1)),
        (ms) => {
          const text = formatDateTime(ms);
          expect(text).toMatch(RFC3339_UTC_MS);
          expect(parseDateTime(text)).toBe(ms);
          expect(formatDateTime(new Date(ms))).toBe(text);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("writes exactly what Date's toISOString writes, the arithmetic formatter being its stand-in", () => {
    // Near day boundaries, in leap and century years, and below year 1000 (padded to four digits).
    const dayEdge = fc.tuple(fc.integer({ min: Math.ceil(MIN_MS / DAY_MS), max: Math.floor(MAX_MS / DAY_MS) }), fc.integer({ min: -2, max: 2 }))
      .map(([day, delta]) => Math.min(MAX_MS, Math.max(MIN_MS, day * DAY_MS + delta)));
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: MIN_MS, max: MAX_MS }), dayEdge, fc.integer({ min: MIN_MS, max: utc(1000, 1, 1, 0, 0, 0, 0) })),
        (ms) => {
          expect(formatDateTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('formats nothing outside 0000..9999 or for a non-integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: MIN_MS - 10 ** 12, max: MIN_MS - 1 }),
          fc.integer({ min: MAX_MS + 1, max: MAX_MS + 10 ** 12 }),
          fc.double().filter((d) => !Number.isInteger(d)),
        ),
        (ms) => {
          expect(formatDateTime(ms)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('parses any RFC 3339 string built from parts to the instant it names, stably', () => {
    const partsArb = fc.record({
      year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 99, 100, 1900, 2000, 9999)),
      month: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(0, 13, 99)),
      day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(0, 32, 99)),
      hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 99)),
      minute: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 99)),
      second: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 61, 99)),
      fraction: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 9 }), { nil: undefined }),
      t: fc.constantFrom('T', 't'),
      zone: fc.oneof(
        fc.constantFrom('Z', 'z'),
        fc.record({
          sign: fc.constantFrom('+', '-'),
          h: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(24, 99)),
          m: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 99)),
        }),
      ),
    });
    fc.assert(
      fc.property(partsArb, (p) => {
        const zone = typeof p.zone === 'string' ? p.zone : `${p.zone.sign}${pad(p.zone.h, 2)}:${pad(p.zone.m, 2)}`;
        const text =
          `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}${p.t}` +
          `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}` +
          `${p.fraction === undefined ? '' : `.${p.fraction}`}${zone}`;
        const parsed = parseDateTime(text);
        const badZone = typeof p.zone !== 'string' && (p.zone.h > 23 || p.zone.m > 59);
        const badTime = p.hour > 23 || p.minute > 59 || p.second > 59; // no leap second: no epoch ms for it
        const badDate = p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month);
        if (badZone || badTime || badDate) {
          expect(parsed).toBeUndefined();
          return;
        }
        const millis = Number((p.fraction ?? '').padEnd(3, '0').slice(0, 3));
        const offsetMs =
          typeof p.zone === 'string' ? 0 : (p.zone.sign === '-' ? -1 : 1) * (p.zone.h * 60 + p.zone.m) * 60_000;
        const expected = utc(p.year, p.month, p.day, p.hour, p.minute, p.second, millis) - offsetMs;
        if (expected < MIN_MS || expected > MAX_MS) {
          expect(parsed).toBeUndefined();
          return;
        }
        expect(parsed).toBe(expected);
        const formatted = formatDateTime(parsed);
        expect(formatted).toMatch(RFC3339_UTC_MS);
        expect(parseDateTime(formatted)).toBe(parsed);
        expect(formatDateTime(text)).toBe(formatted);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('rejects a valid date-time with anything before or after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_MS, max: MAX_MS }),
        fc.string({ maxLength: 4 }),
        fc.string({ maxLength: 4 }),
        fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
        (ms, before, after, zone) => {
          fc.pre(before !== '' || after !== '');
          const valid = (formatDateTime(ms) ?? '').replace(/Z$/, zone);
          expect(parseDateTime(valid)).toBeDefined();
          expect(parseDateTime(before + valid + after)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('never throws on an arbitrary string or value, and parses only what it can format back', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.anything()), (value) => {
        const parsed = parseDateTime(value);
        if (parsed === undefined) return;
        expect(Number.isInteger(parsed)).toBe(true);
        expect(parseDateTime(formatDateTime(parsed))).toBe(parsed);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('properties: Duration', () => {
  it('round-trips any safe non-negative millisecond count through ISO 8601 with no zero component', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.maxSafeNat(),
          fc.integer({ min: 0, max: 10 * DAY_MS }),
          fc.constantFrom(0, 1, 999, 1000, 60_000, HOUR_MS, DAY_MS, DAY_MS - 1, Number.MAX_SAFE_INTEGER),
        ),
        (ms) => {
          const text = formatDuration(ms);
          expect(typeof text).toBe('string');
          if (ms === 0) expect(text).toBe('PT0S');
          else {
            expect(text).toMatch(ISO_DURATION);
            expect(text).not.toBe('P');
            expect(text).not.toMatch(/T$/);
            const h = /T(\d+)H/.exec(text ?? '')?.[1];
            const m = /(\d+)M/.exec(text ?? '')?.[1];
            const s = /(\d+)(?:\.\d+)?S/.exec(text ?? '')?.[1];
            if (h !== undefined) expect(Number(h)).toBeLessThan(24);
            if (m !== undefined) expect(Number(m)).toBeLessThan(60);
            if (s !== undefined) expect(Number(s)).toBeLessThan(60);
          }
          expect(parseDuration(text)).toBe(ms);
          expect(formatDuration(text)).toBe(text);
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('formats nothing for a negative, fractional or unsafe number', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.double().filter((d) => !(Number.isSafeInteger(d) && d >= 0)),
          fc.constantFrom(2 ** 53, 2 ** 60, Number.POSITIVE_INFINITY, Number.NaN),
        ),
        (ms) => {
          expect(formatDuration(ms)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('parses any ISO 8601 duration built from parts to its exact milliseconds, stably', () => {
    const component = fc.option(
      fc.oneof(fc.nat({ max: 1000 }), fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 20n })).map(String),
      { nil: undefined, freq: 2 },
    );
    const partsArb = fc.record({
      days: component,
      hours: component,
      minutes: component,
      seconds: component,
      fraction: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
      comma: fc.boolean(),
      zeros: fc.nat({ max: 2 }),
      bareT: fc.boolean(),
    });
    fc.assert(
      fc.property(partsArb, (p) => {
        const lead = '0'.repeat(p.zeros);
        const seconds = p.seconds ?? (p.fraction !== undefined ? '0' : undefined);
        const time =
          (p.hours === undefined ? '' : `${lead}${p.hours}H`) +
          (p.minutes === undefined ? '' : `${p.minutes}M`) +
          (seconds === undefined ? '' : `${seconds}${p.fraction === undefined ? '' : `${p.comma ? ',' : '.'}${p.fraction}`}S`);
        const text = `P${p.days === undefined ? '' : `${p.days}D`}${time || p.bareT ? `T${time}` : ''}`;
        const parsed = parseDuration(text);
        if ((p.days === undefined && time === '') || (time === '' && p.bareT)) {
          expect(parsed).toBeUndefined(); // "P", "PT" and "P1DT" name no amount or an empty time part
          return;
        }
        const exact =
          BigInt(p.days ?? 0) * 86_400_000n + BigInt(p.hours ?? 0) * 3_600_000n + BigInt(p.minutes ?? 0) * 60_000n +
          BigInt(seconds ?? 0) * 1000n + BigInt((p.fraction ?? '').padEnd(3, '0'));
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(parsed).toBeUndefined();
          return;
        }
        expect(parsed).toBe(Number(exact));
        const formatted = formatDuration(parsed);
        expect(parseDuration(formatted)).toBe(parsed);
        expect(formatDuration(text)).toBe(formatted);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('parses weeks to exact milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), (weeks) => {
        const exact = BigInt(weeks) * 604_800_000n;
        const parsed = parseDuration(`P${weeks}W`);
        expect(parsed).toBe(exact > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(exact));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('rejects a valid duration with anything before it or foreign text after it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeNat().map((ms) => formatDuration(ms) ?? ''), fc.nat({ max: 1000 }).map((w) => `P${w}W`)),
        fc.string({ maxLength: 4 }),
        fc.string({ maxLength: 4 }),
        (valid, before, after) => {
          fc.pre(before !== '' || /[^0-9PTWDHMS.,]/.test(after));
          expect(parseDuration(valid)).toBeDefined();
          expect(parseDuration(before + valid + after)).toBeUndefined();
          expect(parseDuration(`-${valid}`)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('never throws on an arbitrary string or value, and parses only what it can format back', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.anything()), (value) => {
        const parsed = parseDuration(value);
        if (parsed === undefined) return;
        expect(Number.isSafeInteger(parsed) && parsed >= 0).toBe(true);
        expect(parseDuration(formatDuration(parsed))).toBe(parsed);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
