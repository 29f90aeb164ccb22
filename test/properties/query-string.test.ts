// Property-based tests (fast-check) for the upstream query string (DESIGN.md "The GraphQL contract",
// "Precise rules": status filter, de-duplication; UPSTREAM.md "Request", RFC 3986 encoding).
// Every property runs with a fixed seed so that CI runs are reproducible.

import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { graphql } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayContext } from '../../src/context.ts';
import type { SortField, SortOrder, TrainingJobsQuery } from '../../src/domain.ts';
import { toTrainingJobsQuery, type TrainingJobsArgs } from '../../src/schema/arguments.ts';
import { schema } from '../../src/schema/index.ts';
import type { TrainingJobsSource } from '../../src/upstream/loaders.ts';
import { encodeRfc3986 } from '../../src/upstream/signer.ts';
import { buildQueryString, toWireQuery } from '../../src/upstream/v1/query.ts';
import { v1 } from '../../src/upstream/v1/index.ts';
import { rejection, STATUS_NAMES, WIRE_ORDERS, WIRE_SORT_FIELDS } from '../support/contract.ts';

const SEED = 42;

// ---------------------------------------------------------------------------------------------
// Shared arbitraries
// ---------------------------------------------------------------------------------------------

const SORT_FIELDS: Record<SortField, string> = WIRE_SORT_FIELDS;
const ORDERS: Record<SortOrder, string> = WIRE_ORDERS;

const sortFieldArb = fc.constantFrom(...(Object.keys(SORT_FIELDS) as SortField[]));
const orderArb = fc.constantFrom<SortOrder>('ASC', 'DESC');
const statusArb = fc.option(fc.integer({ min: 0, max: 22 }), { nil: undefined });
const pageArb = fc.integer({ min: 1, max: 65535 });
const perPageArb = fc.integer({ min: 1, max: 1000 });

/** Characters that tend to break encoders: reserved, controls, astral, CJK, combining marks. */
const TRICKY_CHARS = [
  ' ', '!', "'", '(', ')', '*', '&', '=', '+', '/', '?', '#', '%', ';', ',', ':', '@', '[', ']',
  '$', '"', '<', '>', '\\', '^', '`', '{', '|', '}', '-', '_', '.', '~', '%20', '%2B', '\u0000',
  '\t', '\n', '\r', '\u007f', '\u0085', '\u00a0', 'é', 'e\u0301', '\u200b', '\ufeff', '\ufffd',
  '训', '练', '作', '业', '😀', '🚀', '👩‍💻', '\u{10ffff}', '\u{1f1e8}\u{1f1f3}', 'a', 'Z', '0', '9',
];

/** A well-formed string of minLength..maxLength code points (never a lone surrogate). */
function wellFormed(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'binary', minLength, maxLength }),
      fc.string({ unit: fc.constantFrom(...TRICKY_CHARS), minLength, maxLength }),
      fc.string({ unit: 'grapheme-composite', minLength, maxLength }),
      fc.string({ unit: 'binary-ascii', minLength, maxLength }),
      // Exactly at the limit, all astral: 2 UTF-16 units per code point.
      fc.string({ unit: fc.constantFrom('😀', '\u{10ffff}', '\u{20000}'), minLength: maxLength, maxLength }),
    )
    .filter((s) => {
      const n = [...s].length;
      return n >= minLength && n <= maxLength;
    });
}

const codePoints = (s: string) => [...s].length;

/** Valid arguments, normalized: exactly the domain's query record. */
type ValidArgs = TrainingJobsQuery & { sortBy: SortField; order: SortOrder };

const validArgsArb: fc.Arbitrary<ValidArgs> = fc.record({
  status: statusArb,
  page: pageArb,
  perPage: perPageArb,
  sortBy: sortFieldArb,
  order: orderArb,
  search: fc.option(wellFormed(0, 64), { nil: undefined }),
  workspaceId: wellFormed(1, 64),
});

/** The key/value pairs DESIGN.md says the upstream request carries, in the seed's order. */
function expectedPairs(a: ValidArgs): [string, string][] {
  const pairs: [string, string][] = [];
  if (a.status !== undefined) pairs.push(['status', String(a.status)]);
  pairs.push(['per_page', String(a.perPage)], ['page', String(a.page)]);
  pairs.push(['sortBy', SORT_FIELDS[a.sortBy]], ['order', ORDERS[a.order]]);
  if (a.search !== undefined && a.search !== '') pairs.push(['search_content', a.search]);
  pairs.push(['workspace_id', a.workspaceId]);
  return pairs;
}

function decodePairs(qs: string): [string, string][] {
  return qs.split('&').map((part) => {
    const pieces = part.split('=');
    expect(pieces).toHaveLength(2);
    return [decodeURIComponent(pieces[0] ?? ''), decodeURIComponent(pieces[1] ?? '')];
  });
}

const QUERY_STRING_ALPHABET = /^(?:[A-Za-z0-9\-_.~=&]|%[0-9A-F]{2})*$/;
const ENCODED_VALUE = /^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/;


describe('properties: query building', () => {
  it('encodes any well-formed string to RFC 3986 that decodeURIComponent undoes', () => {
    fc.assert(
      fc.property(wellFormed(0, 64), (raw) => {
        const encoded = encodeRfc3986(raw);
        expect(encoded).toMatch(ENCODED_VALUE);
        expect(decodeURIComponent(encoded)).toBe(raw);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('builds a query string that carries exactly the expected pairs, in order, for any valid arguments', () => {
    fc.assert(
      fc.property(validArgsArb, (a) => {
        const query = toTrainingJobsQuery(a);
        const qs = buildQueryString(query);
        // (a) only unreserved characters, upper-case %XX, '=' and '&'
        expect(qs).toMatch(QUERY_STRING_ALPHABET);
        // (b) decodes back to the expected pairs in the seed order
        const pairs = decodePairs(qs);
        expect(pairs).toEqual(expectedPairs(a));
        // (c) the always-sent keys are always there
        const keys = pairs.map(([k]) => k);
        for (const key of ['per_page', 'page', 'sortBy', 'order', 'workspace_id']) expect(keys).toContain(key);
        // the wire record agrees with the string
        const wire = toWireQuery(query);
        expect(Object.fromEntries(pairs)).toEqual(
          Object.fromEntries(Object.entries(wire).filter(([, v]) => v !== undefined)),
        );
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('builds the same query string for omitted arguments and the same values spelled out', () => {
    // What the resolver may receive for "no status" and "no search": absent, null, or "" (search).
    const noStatus = fc.constantFrom<{ status?: null }>({}, { status: null });
    const noSearch = fc.constantFrom<{ search?: null | '' }>({}, { search: null }, { search: '' });
    fc.assert(
      fc.property(validArgsArb, noStatus, noSearch, (a, absentStatus, absentSearch) => {
        const spelled = buildQueryString(toTrainingJobsQuery(a));
        const base = { page: a.page, perPage: a.perPage, sortBy: a.sortBy, order: a.order, workspaceId: a.workspaceId };
        const variant: TrainingJobsArgs = {
          ...base,
          ...(a.status === undefined ? absentStatus : { status: a.status }),
          ...(a.search === undefined || a.search === '' ? absentSearch : { search: a.search }),
        };
        expect(buildQueryString(toTrainingJobsQuery(variant))).toBe(spelled);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('builds the same query string through GraphQL whether arguments are omitted or spelled out', async () => {
    const captured: TrainingJobsQuery[] = [];
    const source = {
      page: async (q: TrainingJobsQuery) => {
        captured.push(q);
        return null;
      },
    } as unknown as TrainingJobsSource;
    const contextValue: GatewayContext = {
      requestId: 'properties',
      log: {} as Logger,
      trainingJobs: () => source,
      checkBudget: () => {},
      sortFields: v1.sortFields,
      liveTrainingJobs: () => {
        throw new Error('no subscriptions here');
      },
    };
    const DEFAULTS = { page: 1, perPage: 10, sortBy: 'JOB_NAME', order: 'ASC', workspaceId: '0' } as const;
    const TYPES = {
      status: 'TrainingJobStatus', page: 'Int!', perPage: 'Int!', sortBy: 'TrainingJobSortField!',
      order: 'SortOrder!', search: 'String', workspaceId: 'ID!',
    } as const;
    type Name = keyof typeof TYPES;

    async function run(vars: Partial<Record<Name, unknown>>): Promise<string> {
      const names = Object.keys(vars) as Name[];
      const defs = names.map((n) => `$${n}: ${TYPES[n]}`).join(', ');
      const args = names.map((n) => `${n}: $${n}`).join(', ');
      const source = names.length
        ? `query Q(${defs}) { trainingJobs(${args}) { totalCount } }`
        : '{ trainingJobs { totalCount } }';
      captured.length = 0;
      const result = await graphql({ schema, source, variableValues: vars, contextValue });
      expect(result.errors).toBeUndefined();
      expect(captured).toHaveLength(1);
      return buildQueryString(captured[0] as TrainingJobsQuery);
    }

    // Small ranges so that defaults come up often.
    const argsArb = fc.record({
      status: fc.option(fc.integer({ min: 0, max: 22 }), { nil: undefined }),
      page: fc.oneof(fc.constant(1), pageArb),
      perPage: fc.oneof(fc.constant(10), perPageArb),
      sortBy: sortFieldArb,
      order: orderArb,
      search: fc.option(fc.oneof(fc.constant(''), wellFormed(0, 64)), { nil: undefined }),
      workspaceId: fc.oneof(fc.constant('0'), wellFormed(1, 64)),
    });

    await fc.assert(
      fc.asyncProperty(argsArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), async (a, spellDefault) => {
        const expected = buildQueryString({
          status: a.status,
          page: a.page,
          perPage: a.perPage,
          sortBy: a.sortBy,
          order: a.order,
          search: a.search === '' ? undefined : a.search,
          workspaceId: a.workspaceId,
        });
        // Every argument spelled out; "no status" and "no search" as explicit nulls.
        const spelled = await run({
          status: a.status === undefined ? null : STATUS_NAMES[a.status],
          page: a.page,
          perPage: a.perPage,
          sortBy: a.sortBy,
          order: a.order,
          search: a.search ?? null,
          workspaceId: a.workspaceId,
        });
        // Arguments equal to their default left out (each at random), the rest spelled out.
        const sparse: Partial<Record<Name, unknown>> = {};
        const keep = (i: number) => spellDefault[i] === true;
        if (a.status !== undefined) sparse.status = STATUS_NAMES[a.status];
        if (a.page !== DEFAULTS.page || keep(1)) sparse.page = a.page;
        if (a.perPage !== DEFAULTS.perPage || keep(2)) sparse.perPage = a.perPage;
        if (a.sortBy !== DEFAULTS.sortBy || keep(3)) sparse.sortBy = a.sortBy;
        if (a.order !== DEFAULTS.order || keep(4)) sparse.order = a.order;
        if (a.search !== undefined && (a.search !== '' || keep(5))) sparse.search = a.search;
        if (a.workspaceId !== DEFAULTS.workspaceId || keep(6)) sparse.workspaceId = a.workspaceId;
        const omitted = await run(sparse);
        expect(spelled).toBe(expected);
        expect(omitted).toBe(expected);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  const outsideInt32 = (min: number, max: number) =>
    fc.oneof(fc.integer({ min: -(2 ** 31), max: min - 1 }), fc.integer({ min: max + 1, max: 2 ** 31 - 1 }));

  it('rejects any out-of-range page as BAD_USER_INPUT naming page', () => {
    fc.assert(
      fc.property(validArgsArb, outsideInt32(1, 65535), (a, page) => {
        const error = rejection({ ...a, page });
        expect(error.extensions['code']).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(/\bpage\b/);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('rejects any out-of-range perPage as BAD_USER_INPUT naming perPage', () => {
    fc.assert(
      fc.property(validArgsArb, outsideInt32(1, 1000), (a, perPage) => {
        const error = rejection({ ...a, perPage });
        expect(error.extensions['code']).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(/\bperPage\b/);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('rejects any search longer than 64 code points as BAD_USER_INPUT naming search', () => {
    fc.assert(
      fc.property(validArgsArb, wellFormed(65, 200), (a, search) => {
        expect(codePoints(search)).toBeGreaterThan(64);
        const error = rejection({ ...a, search });
        expect(error.extensions['code']).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(/\bsearch\b/);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('rejects a search or workspaceId holding a lone surrogate as BAD_USER_INPUT, never a crash', () => {
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const withLone = fc
      .tuple(wellFormed(0, 20), loneSurrogate, wellFormed(0, 20))
      .map(([a, lone, b]) => a + lone + b)
      .filter((s) => /\p{Cs}/u.test(s));
    fc.assert(
      fc.property(validArgsArb, withLone, fc.boolean(), (a, bad, inSearch) => {
        const error = rejection(inSearch ? { ...a, search: bad } : { ...a, workspaceId: bad });
        expect(error.extensions['code']).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(inSearch ? /\bsearch\b/ : /\bworkspaceId\b/);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
