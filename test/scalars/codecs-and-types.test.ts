// The DateTime and Duration scalars: the pure codecs (src/scalars) and the GraphQL scalar types
// built from them (DESIGN.md "Precise rules", Scalars).
import { describe, expect, it } from 'vitest';
import { GraphQLError, isScalarType, parseConstValue, type GraphQLScalarType } from 'graphql';
import { formatDateTime, parseDateTime } from '../../src/scalars/date-time.ts';
import { formatDuration, parseDuration } from '../../src/scalars/duration.ts';
import { schema } from '../../src/schema/index.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years RFC 3339 can write.
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;

describe('parseDateTime', () => {
  it.each([
    ['2018-04-20T02:06:30.635Z', 1524189990635],
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T00:00:00.000Z', 0],
    ['1969-12-31T23:59:59.999Z', -1],
    ['2018-04-20T02:06:30Z', 1524189990000],
    ['2018-04-20T02:06:30.6Z', 1524189990600],
    ['2018-04-20T02:06:30.63Z', 1524189990630],
    ['2018-04-20T02:06:30.635999999Z', 1524189990635],
    ['2018-04-20t02:06:30.635z', 1524189990635],
    ['2018-04-20T10:06:30.635+08:00', 1524189990635],
    ['2018-04-19T20:36:30.635-05:30', 1524189990635],
    ['2018-04-20T02:06:30.635+00:00', 1524189990635],
    ['2018-04-20T02:06:30.635-00:00', 1524189990635],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T12:00:00Z', Date.UTC(2000, 1, 29, 12)],
    ['2023-12-31T23:59:59.999Z', Date.UTC(2023, 11, 31, 23, 59, 59, 999)],
    ['0000-01-01T00:00:00Z', MIN_MS],
    ['0000-01-01T00:00:00.000-00:30', MIN_MS + 30 * MINUTE],
    ['0099-06-15T00:00:00Z', -59028739200000],
    ['9999-12-31T23:59:59.999Z', MAX_MS],
    ['9999-12-31T23:59:59.999+01:00', MAX_MS - HOUR],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDateTime(text)).toBe(ms);
  });

  it.each([
    ['an empty string', ''],
    ['a date without time', '2018-04-20'],
    ['a time without date', '02:06:30Z'],
    ['month 13', '2018-13-01T00:00:00Z'],
    ['month 00', '2018-00-01T00:00:00Z'],
    ['day 00', '2018-04-00T00:00:00Z'],
    ['April 31', '2018-04-31T00:00:00Z'],
    ['February 29 of a common year', '2023-02-29T00:00:00Z'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z'],
    ['February 30 of a leap year', '2024-02-30T00:00:00Z'],
    ['hour 24', '2018-04-20T24:00:00Z'],
    ['minute 60', '2018-04-20T02:60:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['a missing offset', '2018-04-20T02:06:30.635'],
    ['an offset without colon', '2018-04-20T02:06:30+0800'],
    ['an offset hour 24', '2018-04-20T02:06:30+24:00'],
    ['an offset minute 60', '2018-04-20T02:06:30+08:60'],
    ['a space for T', '2018-04-20 02:06:30Z'],
    ['an empty fraction', '2018-04-20T02:06:30.Z'],
    ['ten fraction digits', '2018-04-20T02:06:30.1234567890Z'],
    ['a two-digit year', '18-04-20T02:06:30Z'],
    ['a five-digit year', '10000-01-01T00:00:00Z'],
    ['a signed year', '+2018-04-20T02:06:30Z'],
    ['a single-digit month', '2018-4-20T02:06:30Z'],
    ['leading space', ' 2018-04-20T02:06:30Z'],
    ['trailing newline', '2018-04-20T02:06:30Z\n'],
    ['before year 0000 once offset', '0000-01-01T00:00:00+00:01'],
    ['after year 9999 once offset', '9999-12-31T23:59:59.999-00:01'],
    ['non-ASCII digits', '２０１８-04-20T02:06:30Z'],
    ['garbage', 'yesterday'],
  ])('rejects %s', (_what, text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });

  it.each([
    ['a number', 1524189990635],
    ['null', null],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a Date', new Date(0)],
    ['an object', { value: '2018-04-20T02:06:30.635Z' }],
    ['a boolean', true],
  ])('rejects %s', (_what, value) => {
    expect(parseDateTime(value)).toBeUndefined();
  });
});

describe('formatDateTime', () => {
  it.each([
    [1524189990635, '2018-04-20T02:06:30.635Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [Date.UTC(2024, 1, 29), '2024-02-29T00:00:00.000Z'],
    [MIN_MS, '0000-01-01T00:00:00.000Z'],
    [MAX_MS, '9999-12-31T23:59:59.999Z'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDateTime(ms)).toBe(text);
  });

  it.each([
    ['a Date', new Date(1524189990635), '2018-04-20T02:06:30.635Z'],
    ['an RFC 3339 string with offset', '2018-04-20T10:06:30.635+08:00', '2018-04-20T02:06:30.635Z'],
    ['an RFC 3339 string without fraction', '2018-04-20T02:06:30Z', '2018-04-20T02:06:30.000Z'],
  ])('normalizes %s to UTC with milliseconds', (_what, value, text) => {
    expect(formatDateTime(value)).toBe(text);
  });

  it.each([
    ['one ms before year 0000', MIN_MS - 1],
    ['one ms after year 9999', MAX_MS + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a fractional ms', 1.5],
    ['an unsafe integer', 2 ** 60],
    ['an invalid Date', new Date(Number.NaN)],
    ['null', null],
    ['undefined', undefined],
    ['a bigint', 1524189990635n],
    ['a garbage string', 'soon'],
    ['a date-only string', '2018-04-20'],
  ])('rejects %s', (_what, value) => {
    expect(formatDateTime(value)).toBeUndefined();
  });

  const samples = [
    MIN_MS, MIN_MS + 1, -62135596800000, -2208988800000, -86400001, -1, 0, 1, 999, 1000,
    951782400000, 1524189990635, 1709164800000, 1735689599999, 4102444800000, MAX_MS - 1, MAX_MS,
  ];
  // A deterministic spread over the whole range (a linear congruential walk).
  for (let i = 0, x = 12345; i < 200; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    samples.push(MIN_MS + Math.floor((x / 2 ** 31) * (MAX_MS - MIN_MS)));
  }

  it.each(samples)('round-trips %d ms through format and parse', (ms) => {
    const text = formatDateTime(ms);
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(parseDateTime(text)).toBe(ms);
  });
});

describe('parseDuration', () => {
  it.each([
    ['PT8M52.003S', 532003],
    ['PT0S', 0],
    ['P0D', 0],
    ['PT0.000S', 0],
    ['PT1S', SECOND],
    ['PT0.001S', 1],
    ['PT0.5S', 500],
    ['PT0.05S', 50],
    ['PT1,5S', 1500],
    ['PT1M', MINUTE],
    ['PT1H', HOUR],
    ['P1D', DAY],
    ['PT36H', 36 * HOUR],
    ['PT90M', 90 * MINUTE],
    ['PT3600S', HOUR],
    ['P1DT1S', DAY + SECOND],
    ['P2DT3H', 2 * DAY + 3 * HOUR],
    ['P1DT2H3M4.005S', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5],
    ['PT1H0.1S', HOUR + 100],
    ['P1W', 7 * DAY],
    ['P2W', 14 * DAY],
    ['P0W', 0],
    ['P14892855W', 14892855 * 7 * DAY],
    ['P104249991D', 104249991 * DAY],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['an empty string', ''],
    ['P alone', 'P'],
    ['PT alone', 'PT'],
    ['a dangling T', 'P1DT'],
    ['years', 'P1Y'],
    ['months', 'P1M'],
    ['years and days', 'P1Y2D'],
    ['fractional hours', 'PT1.5H'],
    ['fractional minutes', 'PT1.5M'],
    ['fractional days', 'P1.5D'],
    ['weeks with days', 'P1W2D'],
    ['weeks with time', 'P1WT1H'],
    ['four second decimals', 'PT1.0001S'],
    ['an empty fraction', 'PT1.S'],
    ['a fraction without integer', 'PT.5S'],
    ['a negative duration', '-PT1S'],
    ['a negative amount', 'PT-1S'],
    ['a plus sign', '+PT1S'],
    ['lower case', 'pt1s'],
    ['hours outside T', 'P1H'],
    ['days inside T', 'PT1D'],
    ['units out of order', 'PT1S1M'],
    ['a repeated unit', 'PT1H1H'],
    ['a missing P', 'T1S'],
    ['a bare number', '532003'],
    ['spaces', 'PT 1S'],
    ['trailing newline', 'PT1S\n'],
    ['an unsafe number of days', 'P104249992D'],
    ['an unsafe number of weeks', 'P14892856W'],
    ['an unsafe number of seconds', 'PT9007199254741S'],
    ['garbage', 'a while'],
  ])('rejects %s', (_what, text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    ['a number', 532003],
    ['null', null],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['an object', { ms: 1 }],
  ])('rejects %s', (_what, value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [532003, 'PT8M52.003S'],
    [0, 'PT0S'],
    [1, 'PT0.001S'],
    [10, 'PT0.01S'],
    [100, 'PT0.1S'],
    [120, 'PT0.12S'],
    [999, 'PT0.999S'],
    [SECOND, 'PT1S'],
    [1500, 'PT1.5S'],
    [59 * SECOND, 'PT59S'],
    [MINUTE, 'PT1M'],
    [MINUTE + 10, 'PT1M0.01S'],
    [HOUR, 'PT1H'],
    [HOUR + SECOND, 'PT1H1S'],
    [HOUR + MINUTE, 'PT1H1M'],
    [23 * HOUR + 59 * MINUTE + 59 * SECOND + 999, 'PT23H59M59.999S'],
    [DAY, 'P1D'],
    [DAY + 1, 'P1DT0.001S'],
    [DAY + HOUR, 'P1DT1H'],
    [DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5, 'P1DT2H3M4.005S'],
    [14 * DAY, 'P14D'],
    [400 * DAY + 500, 'P400DT0.5S'],
    [Number.MAX_SAFE_INTEGER, 'P104249991DT8H59M0.991S'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    ['weeks', 'P2W', 'P14D'],
    ['unnormalized seconds', 'PT90S', 'PT1M30S'],
    ['a comma fraction', 'PT1,50S', 'PT1.5S'],
    ['zero days', 'P0D', 'PT0S'],
  ])('normalizes a duration string with %s', (_what, value, text) => {
    expect(formatDuration(value)).toBe(text);
  });

  it.each([
    ['a negative number', -1],
    ['a fractional ms', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', Number.MAX_SAFE_INTEGER + 1],
    ['null', null],
    ['undefined', undefined],
    ['a bigint', 1n],
    ['a garbage string', 'long'],
    ['a year duration', 'P1Y'],
  ])('rejects %s', (_what, value) => {
    expect(formatDuration(value)).toBeUndefined();
  });

  const samples = [
    0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59999, 60000, 3599999, 3600000, 86399999, 86400000,
    86400001, 532003, 604800000, 31536000000, Number.MAX_SAFE_INTEGER,
  ];
  for (let i = 0, x = 54321; i < 200; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    // Spread over magnitudes: ms, seconds, hours, weeks, years, and near 2^53.
    samples.push(Math.floor((x / 2 ** 31) * 10 ** (i % 16)));
  }

  it.each(samples)('round-trips %d ms through format and parse', (ms) => {
    const text = formatDuration(ms);
    expect(text).toMatch(/^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d{1,3})?S)?)?$/);
    expect(text).not.toMatch(/\.\d*0S$/);
    expect(parseDuration(text)).toBe(ms);
  });
});

const scalar = (name: string): GraphQLScalarType => {
  const type = schema.getType(name);
  if (!isScalarType(type)) throw new Error(`${name} is not a scalar of the schema`);
  return type;
};

/** The error a call throws, or a failure when it throws none. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

describe.each([
  {
    name: 'DateTime',
    url: 'https://scalars.graphql.org/andimarek/date-time',
    internal: 1524189990635,
    external: '2018-04-20T02:06:30.635Z',
    alternative: '2018-04-20T10:06:30.635+08:00',
    badInputs: ['', '2018-04-20', '2018-13-01T00:00:00Z', '2016-12-31T23:59:60Z', 'now'],
    badOutputs: [Number.NaN, Number.POSITIVE_INFINITY, 1.5, MAX_MS + 1, null, {}, 'never'],
  },
  {
    name: 'Duration',
    url: 'https://en.wikipedia.org/wiki/ISO_8601#Durations',
    internal: 532003,
    external: 'PT8M52.003S',
    alternative: 'PT0H8M52.003S',
    badInputs: ['', 'P', 'PT', 'P1Y', 'P1M', 'PT1.5H', 'P1W2D', 'PT1.0001S', '-PT1S'],
    badOutputs: [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, null, {}, 'P1Y'],
  },
])('the $name scalar of the schema', ({ name, url, internal, external, alternative, badInputs, badOutputs }) => {
  const type = scalar(name);

  it('is specified by the URL DESIGN.md gives', () => {
    expect(type.specifiedByURL).toBe(url);
  });

  it('has a description', () => {
    expect(type.description).toBeTruthy();
  });

  it('serializes the internal value', () => {
    expect(type.serialize(internal)).toBe(external);
  });

  it.each([external, alternative])('parses the variable value %s', (value) => {
    expect(type.parseValue(value)).toBe(internal);
  });

  it.each([external, alternative])('parses the literal "%s"', (value) => {
    expect(type.parseLiteral(parseConstValue(JSON.stringify(value)), undefined)).toBe(internal);
  });

  it.each(badInputs)('rejects the variable value "%s" with an error naming the scalar', (value) => {
    const error = thrown(() => type.parseValue(value));
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toContain(name);
  });

  it.each([internal, null, true, [external], { value: external }])(
    'rejects the non-string variable value %j with an error naming the scalar',
    (value) => {
      const error = thrown(() => type.parseValue(value));
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).message).toContain(name);
    },
  );

  it.each(badInputs)('rejects the literal "%s" with an error naming the scalar', (value) => {
    const error = thrown(() => type.parseLiteral(parseConstValue(JSON.stringify(value)), undefined));
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toContain(name);
  });

  it.each(['1524189990635', '532003', 'true', 'null', '["x"]', '{ value: "x" }', 'ENUM'])(
    'rejects the non-string literal %s with an error naming the scalar',
    (literal) => {
      const error = thrown(() => type.parseLiteral(parseConstValue(literal), undefined));
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).message).toContain(name);
    },
  );

  it.each(badOutputs)('refuses to serialize %j with an error naming the scalar', (value) => {
    const error = thrown(() => type.serialize(value));
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toContain(name);
  });
});
