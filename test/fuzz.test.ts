/**
 * Fuzzing the HTTP surface: a few thousand random, mutated, absurd and malformed requests, all
 * generated from one fixed seed, sent to a gateway and its emulator on real sockets. Every answer
 * must carry a documented status, be well-formed, and show no stack trace, upstream address or
 * credential; the gateway must keep answering a normal query throughout, and must not crash.
 *
 * Knobs (npm run fuzz sets them; with none set this is the fixed run `npm test` makes):
 * FUZZ_RUNS (requests, default 2423: one block), FUZZ_SEED (decimal or 0x hex, 32 bits),
 * FUZZ_TARGET (stack: the gateway in this process, as startStack wires it; process: the built
 * gateway, dist/src/main.js, as its own process), FUZZ_REPORT (a JSON report file), FUZZ_OUT (the
 * file to record a passing run in, e.g. docs/benchmarks.md; unset or `-` records none), FUZZ_COMMAND
 * (the command to record). FUZZ_VERBOSE=1 also prints the slowest requests and the statuses of
 * every sub-case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.ts';
import { freePort, ROOT } from './support/process.ts';
import { AUTH, startStack } from './support/stack.ts';

/** The seed of `npm test`'s run: keep it, CI compares like with like. */
const DEFAULT_SEED = 0x5eed_2024;
const CONCURRENCY = 16;
/** Silence this long is a hang. */
const REQUEST_TIMEOUT_MS = 15_000;
/** So is an answer still coming after this long, however steadily its bytes trickle in. */
const REQUEST_DEADLINE_MS = 30_000;
/**
 * A subscription's stream (SSE, multipart) lasts as long as its client stays, and its keep-alive
 * pings (every 12 s) never let it go quiet: read it this long, then hang up as a browser would.
 */
const STREAM_READ_MS = 2_000;
/** Health checks per block: a gateway that stops answering is caught within an eighth of one. */
const CHECKPOINTS = 8;
/** The test's budget per block of requests; one block takes about 20 s on a quiet 2-core machine. */
const BLOCK_TIMEOUT_MS = 120_000;
/** Kept free at the end of the test's budget: a run out of time still prints and writes its summary. */
const SUMMARY_MARGIN_MS = Math.min(60_000, BLOCK_TIMEOUT_MS / 4);
/**
 * Statuses the contract allows for these requests; any 5xx fails (none is documented). 403 is
 * CSRF prevention (a request a browser could send cross-site without x-graphql-csrf); 417 (an
 * unknown Expect) and 431 (a request head over 16 KiB) are Node's own HTTP answers.
 */
const ALLOWED_STATUSES = new Set([200, 400, 403, 404, 405, 406, 411, 413, 415, 417, 431]);
/** Every credential the fuzzer sends contains this marker, so an echo of one is easy to spot. */
const SECRET = 'SeCrEt';

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32): the same requests on every run.

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  subset<T>(items: readonly T[], min = 1): T[] {
    const chosen = items.filter(() => this.bool());
    while (chosen.length < min) chosen.push(this.pick(items));
    return chosen;
  }
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and what came back.

type Family = 'valid' | 'mutated' | 'absurd' | 'http' | 'headers';

interface FuzzRequest {
  family: Family;
  /** The sub-case, for grouping failures. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body without Content-Length (chunked transfer encoding). */
  chunked?: boolean;
  /** Raw bytes over a TCP socket instead of a client request (malformed HTTP). */
  raw?: Buffer;
  /** Raw requests the client aborts: closing without an answer is acceptable. */
  mayNotAnswer?: boolean;
}

interface Outcome {
  /** An HTTP status, or what went wrong on the wire. */
  status: number | 'timeout' | 'error' | 'no answer';
  contentType: string;
  body: Buffer;
  error?: string;
  /** The answer's X-Request-Id: the gateway's log lines carry it. */
  requestId?: string;
  /** A stream the client hung up on after STREAM_READ_MS (the body is what came until then). */
  streamCut?: boolean;
}

const HEADER_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ODD_ASCII = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\t';
const IDENT_START = '_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const IDENT_REST = `${IDENT_START}0123456789`;

const UNICODE_SAMPLES = [
  'héllo wörld',
  '日本語のジョブ',
  '🚀🔥 rocket',
  'مرحبا بالعالم',
  'e\u0301\u0301\u0301',
  'zero\u0000byte',
  '\uFEFFbom',
  'rtl\u202Eoverride',
  'Straße',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u2028line\u2029sep',
  '😀'.repeat(64),
  '😀'.repeat(65),
  'a'.repeat(64),
  'a'.repeat(65),
  '',
  ' ',
  '%00%2e%2e/..',
  "'; DROP TABLE jobs; --",
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
];
const LONE_SURROGATES = ['\ud800', '\udfff', 'x\ud83d', '\ude00y', 'ok\udbff\udbffok'];

// ---------------------------------------------------------------------------------------------
// Valid-ish queries of the schema, with random arguments, aliases, selections and variables.

const JOB_FIELDS = ['id', 'name', 'description', 'status', 'statusCode', 'versionId', 'versionCount', 'createdAt', 'duration'];
const PAGE_INFO_FIELDS = ['page', 'perPage', 'totalPages', 'hasNextPage', 'hasPreviousPage'];
const QUOTA_FIELDS = ['remainingJobs', 'maxRunningJobs'];
const STATUSES = [
  'UNKNOWN', 'INIT', 'IMAGE_CREATING', 'IMAGE_FAILED', 'SUBMIT_TRYING', 'SUBMIT_FAILED', 'DELETE_FAILED',
  'WAITING', 'RUNNING', 'KILLING', 'COMPLETED', 'FAILED', 'KILLED', 'CANCELED', 'LOST', 'SCALING',
  'SUBMIT_MODEL_FAILED', 'DEPLOY_SERVICE_FAILED', 'CHECK_INIT', 'CHECK_RUNNING', 'CHECK_RUNNING_COMPLETED',
  'CHECK_FAILED', 'MOUNT_FAILED',
];
const SORT_FIELDS = ['JOB_NAME', 'JOB_DESC', 'STATUS', 'DURATION', 'VERSION_COUNT', 'CREATE_TIME'];
const ORDERS = ['ASC', 'DESC'];

const ARGS = ['status', 'page', 'perPage', 'sortBy', 'order', 'search', 'workspaceId'] as const;
type ArgName = (typeof ARGS)[number];
const VAR_TYPES: Record<ArgName, string> = {
  status: 'TrainingJobStatus',
  page: 'Int!',
  perPage: 'Int!',
  sortBy: 'TrainingJobSortField!',
  order: 'SortOrder!',
  search: 'String',
  workspaceId: 'ID!',
};
const WRONG_VAR_TYPES = ['Int', 'String!', 'Float', 'Boolean!', 'ID', '[Int]', '[String!]!', 'SortOrder', 'DateTime', 'Duration', 'Nope', 'TrainingJob'];

const BAD_INT_LITERALS = [
  '0', '-1', '65536', '1001', '2147483647', '2147483648', '-2147483648', '-2147483649',
  '99999999999999999999999999999', '1.5', '1e3', '-0.0', '"1"', 'true', 'null', 'RUNNING', '[1]', '{a: 1}',
  '1_000', '0x10', '01', '$undeclared', '""', '1e400',
];
const BAD_INT_JSON: unknown[] = [
  0, -1, 65536, 1001, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, 1.5, 0.1, '1', '', true, null, [], [1], {}, { value: 1 }, 'RUNNING',
];
const BAD_ENUM_LITERALS = ['running', '"RUNNING"', '8', 'NOPE', 'null', '[ASC]', 'true', 'ASC_', '__typename', '{}', '-1', '1.0'];
const BAD_ENUM_JSON: unknown[] = ['running', 8, '', null, true, ['ASC'], {}, 'NOPE', 'RUNNING ', '8', 1e308];

const gqlString = (s: string): string => JSON.stringify(s);

function alias(r: Rng): string {
  const name = r.chars(IDENT_START, 1) + r.chars(IDENT_REST, r.int(0, 20));
  return r.bool(0.05) ? `__${name}` : name;
}

function validValue(r: Rng, arg: ArgName): unknown {
  switch (arg) {
    case 'status':
      return r.pick(STATUSES);
    case 'page':
      return r.pick([1, 2, r.int(1, 20), 65535, r.int(1, 65535)]);
    case 'perPage':
      return r.pick([1, 10, r.int(1, 50), 1000, r.int(1, 1000)]);
    case 'sortBy':
      return r.pick(SORT_FIELDS);
    case 'order':
      return r.pick(ORDERS);
    case 'search':
      return r.pick([...UNICODE_SAMPLES.filter((s) => [...s].length <= 64), r.chars(HEADER_ALPHABET, r.int(0, 10)), 'resnet', 'bert']);
    case 'workspaceId':
      return r.pick(['0', String(r.int(0, 99)), 'ws-abc', '日本']);
  }
}

function validLiteral(r: Rng, arg: ArgName, value: unknown): string {
  if (arg === 'status' || arg === 'sortBy' || arg === 'order') return String(value);
  if (arg === 'workspaceId' && /^\d+$/.test(String(value)) && r.bool(0.3)) return String(value);
  if (typeof value === 'string') {
    return r.bool(0.1) && !value.includes('"""') && !/[\\\u0000]/.test(value) ? `"""${value}"""` : gqlString(value);
  }
  return String(value);
}

function badLiteral(r: Rng, arg: ArgName): string {
  switch (arg) {
    case 'page':
    case 'perPage':
      return r.pick(BAD_INT_LITERALS);
    case 'status':
    case 'sortBy':
    case 'order':
      return r.pick(BAD_ENUM_LITERALS);
    case 'search':
    case 'workspaceId':
      return r.pick([
        gqlString('x'.repeat(r.pick([65, 1000, 100_000]))),
        gqlString(r.pick(LONE_SURROGATES)),
        '"unterminated',
        '"bad \\q escape"',
        '"\\u{1F600}"',
        '"\\uD800"',
        '""',
        '5',
        '1.5',
        'true',
        'null',
        '[ "a" ]',
        '{ a: "b" }',
        'RUNNING',
        '"""block\n"""',
      ]);
  }
}

function badJson(r: Rng, arg: ArgName): unknown {
  switch (arg) {
    case 'page':
    case 'perPage':
      return r.pick(BAD_INT_JSON);
    case 'status':
    case 'sortBy':
    case 'order':
      return r.pick(BAD_ENUM_JSON);
    case 'search':
    case 'workspaceId':
      return r.pick<unknown>([
        'x'.repeat(r.pick([65, 1000, 100_000])),
        r.pick(LONE_SURROGATES),
        '',
        5,
        1.5,
        true,
        null,
        ['a'],
        { a: 'b' },
        r.pick(UNICODE_SAMPLES),
      ]);
  }
}

function selection(r: Rng): string {
  const parts: string[] = [];
  const maybeAlias = (field: string) => (r.bool(0.25) ? `${alias(r)}: ${field}` : field);
  const sub = (fields: string[]) => r.subset(fields).map(maybeAlias).join(' ');
  if (r.bool(0.6)) parts.push(maybeAlias('totalCount'));
  if (r.bool(0.5)) parts.push(`${maybeAlias('pageInfo')} { ${sub(PAGE_INFO_FIELDS)} }`);
  if (r.bool(0.4)) parts.push(`${maybeAlias('quota')} { ${sub(QUOTA_FIELDS)} }`);
  if (r.bool(0.6)) parts.push(`${maybeAlias('jobs')} { ${sub(JOB_FIELDS)} }`);
  if (r.bool(0.2)) parts.push('__typename');
  if (r.bool(0.05)) parts.push(r.pick(['nope', 'totalCount { x }', 'jobs', 'pageInfo', 'jobs { nope }', 'jobs { id(x: 1) }']));
  if (parts.length === 0) parts.push('totalCount');
  return parts.join(' ');
}

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

function validOperation(r: Rng): Operation {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const fields: string[] = [];
  const topLevel = r.int(1, 3);
  for (let f = 0; f < topLevel; f++) {
    const kind = r.next();
    if (kind < 0.8) {
      const args: string[] = [];
      for (const arg of ARGS) {
        if (!r.bool(0.5)) continue;
        const how = r.next();
        if (how < 0.5) args.push(`${arg}: ${validLiteral(r, arg, validValue(r, arg))}`);
        else if (how < 0.7) args.push(`${arg}: ${badLiteral(r, arg)}`);
        else {
          const name = `${arg}${f}${r.bool(0.1) ? 'x' : ''}`;
          args.push(`${arg}: $${name}`);
          const declared = r.next();
          if (declared < 0.75) declarations.push(`$${name}: ${VAR_TYPES[arg]}`);
          else if (declared < 0.9) declarations.push(`$${name}: ${r.pick(WRONG_VAR_TYPES)}`);
          const valued = r.next();
          if (valued < 0.5) variables[name] = validValue(r, arg);
          else if (valued < 0.9) variables[name] = badJson(r, arg);
        }
      }
      if (r.bool(0.05)) args.push(r.pick(['foo: 1', 'page: 1', 'status: null', '__typename: 1']));
      const call = args.length > 0 ? `trainingJobs(${args.join(', ')})` : 'trainingJobs';
      fields.push(`${r.bool(0.4) ? `${alias(r)}: ` : ''}${call} { ${selection(r)} }`);
    } else if (kind < 0.9) {
      fields.push(`${r.bool(0.5) ? `${alias(r)}: ` : ''}__typename`);
    } else {
      fields.push(
        r.pick([
          '__schema { queryType { name } }',
          `__type(name: ${gqlString(r.pick(['TrainingJob', 'Query', 'Nope', '', 'DateTime']))}) { name kind fields { name } }`,
          '__type(name: 5) { name }',
        ]),
      );
    }
  }
  if (r.bool(0.1)) {
    variables[r.pick(['unused', 'extra', '__proto__', 'constructor'])] = r.pick<unknown>([1, 'x', null, { a: 1 }]);
  }
  const name = `Op${r.int(0, 999)}`;
  const shape = r.next();
  const body = `{ ${fields.join(' ')} }`;
  const query =
    shape < 0.35 && declarations.length === 0
      ? body
      : shape < 0.8
        ? `query ${name}${declarations.length > 0 ? `(${declarations.join(', ')})` : ''} ${body}`
        : `query${declarations.length > 0 ? ` (${declarations.join(' ')})` : ''} ${body}`;
  const operation: Operation = { query };
  if (Object.keys(variables).length > 0 || r.bool(0.1)) operation.variables = variables;
  if (query.startsWith(`query ${name}`) && r.bool(0.3)) operation.operationName = name;
  return operation;
}

// ---------------------------------------------------------------------------------------------
// Headers: credentials, accept, request ids.

function secretToken(r: Rng): string {
  return r.pick([
    `${SECRET}-${r.chars(HEADER_ALPHABET, r.int(4, 40))}`,
    `${r.chars(ODD_ASCII.trim(), r.int(1, 8))}${SECRET}${r.chars(ODD_ASCII, r.int(0, 20))}x`,
    `${SECRET}${'x'.repeat(r.pick([1000, 4000, 8000]))}`,
    `${SECRET}.${r.chars(`${HEADER_ALPHABET}-_`, 200)}.${r.chars(HEADER_ALPHABET, 40)}`,
  ]);
}

function authHeaders(r: Rng): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const choice = r.next();
  if (choice < 0.45) headers['x-auth-token'] = secretToken(r);
  else if (choice < 0.6) headers['authorization'] = `Bearer ${secretToken(r)}`;
  else if (choice < 0.7) {
    headers['x-auth-token'] = r.pick(['', ' ', '\t', secretToken(r)]);
    headers['authorization'] = r.pick([`Bearer ${secretToken(r)}`, 'Bearer', 'Bearer ', `Basic ${SECRET}`]);
  } else if (choice < 0.8) {
    headers[r.pick(['x-auth-token', 'authorization'])] = r.pick([
      '',
      ' ',
      '\t \t',
      'Bearer',
      'Bearer ',
      'Bearer\t',
      `bearer ${secretToken(r)}`,
      `BEARER\t${secretToken(r)}  `,
      `Bearer ${secretToken(r)} ${secretToken(r)}`,
      `Bearer ${secretToken(r)},Bearer ${secretToken(r)}`,
      `Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`,
      `Digest username="${SECRET}"`,
      `${r.chars(ODD_ASCII, r.int(1, 300))}`,
      `Bearer ${r.chars(ODD_ASCII, r.int(1, 100))}${SECRET}`,
      'x'.repeat(r.pick([1000, 8000])),
    ]);
  } else if (choice < 0.85) {
    headers['x-auth-token'] = [secretToken(r), secretToken(r)];
  }
  // else: no credential at all (UNAUTHENTICATED in passthrough mode).
  return headers;
}

function requestIdHeader(r: Rng): Record<string, string> {
  if (!r.bool(0.4)) return {};
  return {
    'x-request-id': r.pick([
      '',
      ' ',
      'a b<script>',
      '../../etc/passwd',
      '%00%0d%0a',
      'x'.repeat(128),
      'x'.repeat(129),
      'y'.repeat(r.pick([1000, 6000])),
      r.chars(ODD_ASCII, r.int(1, 200)),
      r.chars(`${HEADER_ALPHABET}._:-`, r.int(1, 128)),
      '{"json":true}',
      "' OR 1=1 --",
    ]),
  };
}

function acceptHeader(r: Rng): Record<string, string> {
  const c = r.next();
  if (c < 0.4) return { accept: 'application/json' };
  if (c < 0.7) return { accept: 'application/graphql-response+json' };
  if (c < 0.8) return {};
  return {
    accept: r.pick([
      '*/*',
      'application/graphql-response+json, application/json;q=0.9',
      'application/json; charset=utf-8',
      'image/png',
      'text/plain',
      'application/xml',
      'text/event-stream',
      'multipart/mixed',
      'garbage',
      ';;;q=x',
      'application/*',
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// Families.

function post(family: Family, kind: string, payload: unknown, headers: Record<string, string | string[]>): FuzzRequest {
  return {
    family,
    kind,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  };
}

/** Node refuses a request head over 16 KB (431); only the 'request head over 16 KB' case goes there on purpose. */
const MAX_GET_URL = 8000;

function getWithParams(family: Family, kind: string, params: Record<string, string>, headers: Record<string, string | string[]>): FuzzRequest {
  const search = new URLSearchParams(params).toString();
  const path = `/graphql${search ? `?${search}` : ''}`;
  if (path.length > MAX_GET_URL) return post(family, kind.replace(/^GET/, 'POST'), params, headers);
  return { family, kind, method: 'GET', path, headers };
}

function commonHeaders(r: Rng): Record<string, string | string[]> {
  return { ...acceptHeader(r), ...(r.bool(0.8) ? { 'x-auth-token': `${SECRET}-${r.int(0, 9)}` } : authHeaders(r)), ...requestIdHeader(r) };
}

function validRequest(r: Rng): FuzzRequest {
  const op = validOperation(r);
  if (r.bool(0.15)) {
    const params: Record<string, string> = { query: op.query };
    if (op.variables) params['variables'] = JSON.stringify(op.variables);
    if (op.operationName) params['operationName'] = op.operationName;
    return getWithParams('valid', 'GET query', params, commonHeaders(r));
  }
  return post('valid', 'POST query', op, commonHeaders(r));
}

const MUTATION_TOKENS = ['{', '}', '(', ')', '"', '"""', '$', '@', '...', '#', ':', '!', '[', ']', '=', '|', '&', '\\', '\n', '\u0000', '\ud800', '😀', ' on ', 'fragment ', 'query ', '\\u', '\r'];

function mutate(r: Rng, doc: string): string {
  let out = doc;
  const ops = r.int(1, 8);
  for (let i = 0; i < ops; i++) {
    const pos = r.int(0, out.length);
    switch (r.int(0, 8)) {
      case 0: // delete a range
        out = out.slice(0, pos) + out.slice(Math.min(out.length, pos + r.int(1, 12)));
        break;
      case 1: // insert a token
        out = out.slice(0, pos) + r.pick(MUTATION_TOKENS) + out.slice(pos);
        break;
      case 2: {
        // swap two characters
        const [i1, i2] = [pos, r.int(0, out.length)].sort((x, y) => x - y) as [number, number];
        if (i2 >= out.length || i1 === i2) break;
        out = out.slice(0, i1) + out[i2] + out.slice(i1 + 1, i2) + out[i1] + out.slice(i2 + 1);
        break;
      }
      case 3: {
        // swap two tokens
        const tokens = out.split(/(\s+)/);
        const i1 = r.int(0, tokens.length - 1);
        const i2 = r.int(0, tokens.length - 1);
        [tokens[i1], tokens[i2]] = [tokens[i2] ?? '', tokens[i1] ?? ''];
        out = tokens.join('');
        break;
      }
      case 4: // truncate
        out = out.slice(0, pos);
        break;
      case 5: // repeat the whole document
        if (out.length < 20_000) out = out.repeat(r.int(2, 30));
        break;
      case 6: {
        // duplicate a span
        const end = Math.min(out.length, pos + r.int(1, 40));
        out = out.slice(0, end) + out.slice(pos, end) + out.slice(end);
        break;
      }
      case 7: // replace a character with an odd one
        out = out.slice(0, pos) + r.pick([...ODD_ASCII, '\u00e9', '\u3042', '\u0007', '\u007f']) + out.slice(pos + 1);
        break;
      default: // delete every occurrence of one punctuator
        out = out.split(r.pick(['{', '}', '(', ')', ':', '$', '"'])).join('');
    }
  }
  return out;
}

function mutatedRequest(r: Rng, seeds: readonly Operation[]): FuzzRequest {
  const base = r.pick(seeds);
  const op: Operation = { ...base, query: mutate(r, base.query) };
  if (r.bool(0.15)) return getWithParams('mutated', 'GET mutated', { query: op.query }, commonHeaders(r));
  return post('mutated', 'POST mutated', op, commonHeaders(r));
}

function nested(depth: number, field: string, close: boolean): string {
  return `${`{ ${field} `.repeat(depth)}${close ? '}'.repeat(depth) : ''}`;
}

function absurdDocument(r: Rng): { kind: string; query: string; operationName?: string; rawVariables?: string } {
  const c = r.int(0, 19);
  switch (c) {
    case 0: {
      const depth = r.pick([1000, 10_000, r.int(65, 3000)]);
      return { kind: `nesting ${depth >= 10_000 ? '10k' : '≤3k'} levels`, query: nested(depth, r.pick(['a', 'trainingJobs', 'jobs', '__typename']), r.bool(0.7)) };
    }
    case 1: {
      const depth = r.pick([100, 500, 2000]);
      const inner = `${'ofType { '.repeat(depth)}name${' }'.repeat(depth)}`;
      return { kind: 'deep introspection', query: `{ __schema { types { fields { type { ${inner} } } } } }` };
    }
    case 2: {
      const n = r.pick([1000, 5000]);
      return { kind: 'thousands of __typename aliases', query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }` };
    }
    case 3: {
      const n = r.pick([500, 2000]);
      return { kind: 'thousands of trainingJobs aliases (same args)', query: `{ ${Array.from({ length: n }, (_, i) => `t${i}: trainingJobs(perPage: 1) { totalCount }`).join(' ')} }` };
    }
    case 4: {
      const n = r.pick([50, 200]);
      return { kind: 'hundreds of trainingJobs aliases (distinct args)', query: `{ ${Array.from({ length: n }, (_, i) => `t${i}: trainingJobs(page: ${i + 1}, perPage: 1) { totalCount jobs { id } }`).join(' ')} }` };
    }
    case 5: {
      const n = r.pick([1000, 5000]);
      return { kind: 'thousands of repeated fields', query: `{ trainingJobs(perPage: 2) { jobs { ${'id name '.repeat(n)} } } }` };
    }
    case 6: {
      const n = r.pick([1000, 3000]);
      return { kind: 'thousands of distinct unknown fields', query: `{ ${Array.from({ length: n }, (_, i) => `f${i}`).join(' ')} }` };
    }
    case 7: {
      const n = r.pick([100_000, 1_000_000]);
      return { kind: 'huge string literal', query: `{ trainingJobs(search: ${gqlString('x'.repeat(n))}) { totalCount } }` };
    }
    case 8: {
      const n = r.pick([500, 3000]);
      const defs = Array.from({ length: n }, (_, i) => `fragment F${i} on TrainingJob { ${r.pick(JOB_FIELDS)} }`).join('\n');
      const spreads = Array.from({ length: n }, (_, i) => `...F${i}`).join(' ');
      return { kind: 'many fragments', query: `{ trainingJobs(perPage: 3) { jobs { ${spreads} } } }\n${defs}` };
    }
    case 9: {
      const n = r.pick([100, 1000, 5000]);
      const defs = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < n ? `...F${i + 1}` : ''} }`).join('\n');
      return { kind: 'fragment chain', query: `{ ...F0 }\n${defs}` };
    }
    case 10: {
      const n = r.pick([1, 2, 500]);
      const defs = Array.from({ length: n }, (_, i) => `fragment C${i} on Query { __typename ...C${(i + 1) % n} }`).join('\n');
      return { kind: 'fragment cycle', query: `{ ...C0 }\n${defs}` };
    }
    case 11: {
      const n = r.pick([1, 50, 2000]);
      const dirs = () => Array.from({ length: r.int(1, n) }, () => r.pick(['@include(if: true)', '@skip(if: false)', '@deprecated', '@specifiedBy(url: "x")', `@${alias(r)}`, `@${alias(r)}(a: 1, b: "x", c: [1], d: {e: null})`, '@include', '@skip(if: 1)'])).join(' ');
      return {
        kind: 'directives on everything',
        query: `query Q($p: Int! = 1 ${dirs()}) ${dirs()} { trainingJobs(page: $p) ${dirs()} { ... on TrainingJobPage ${dirs()} { totalCount ${dirs()} } ...P ${dirs()} } }\nfragment P on TrainingJobPage ${dirs()} { jobs ${dirs()} { id ${dirs()} } }`,
      };
    }
    case 12:
      return { kind: 'unknown directive', query: `{ __typename @${alias(r)}(${alias(r)}: ${gqlString(r.pick(UNICODE_SAMPLES))}) }` };
    case 13:
      return { kind: 'introspection', query: getIntrospectionQuery({ descriptions: r.bool(), specifiedByUrl: r.bool(), directiveIsRepeatable: r.bool(), schemaDescription: r.bool(), inputValueDeprecation: r.bool() }) };
    case 14: {
      const n = r.pick([100, 2000]);
      const ops = Array.from({ length: n }, (_, i) => `query O${i} { __typename }`).join('\n');
      return { kind: 'many operations', query: ops, operationName: r.pick(['O0', `O${n - 1}`, 'Nowhere', '', `O${n}`]) };
    }
    case 15: {
      const n = r.pick([100, 5000]);
      return { kind: 'thousands of duplicate arguments', query: `{ trainingJobs(${Array.from({ length: n }, (_, i) => `page: ${i}`).join(', ')}) { totalCount } }` };
    }
    case 16: {
      const n = r.pick([10_000, 100_000]);
      return { kind: 'huge list literal', query: `{ trainingJobs(search: [${Array.from({ length: n }, (_, i) => i).join(',')}]) { totalCount } }` };
    }
    case 17: {
      const depth = r.pick([1000, 10_000]);
      const [open, close] = r.bool() ? ['[', ']'] : ['{a: ', '}'];
      return { kind: `deep ${open === '[' ? 'list' : 'object'} literal`, query: `{ trainingJobs(search: ${open.repeat(depth)}1${close.repeat(depth)}) { totalCount } }` };
    }
    case 18: {
      // Built as text: JSON.stringify itself would overflow the stack at this depth.
      const depth = r.pick([1000, 10_000]);
      let value = '"x"';
      for (let i = 0; i < depth; i++) value = r.bool() ? `[${value}]` : `{"v":${value}}`;
      const n = r.pick([10, 20_000]);
      const wide = Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',');
      return { kind: 'deep and wide variables', query: 'query ($s: String) { trainingJobs(search: $s) { totalCount } }', rawVariables: `{"s":${value},${wide}}` };
    }
    default:
      return {
        kind: 'other operation types',
        query: r.pick(['mutation { x }', 'subscription { trainingJobs { totalCount } }', 'mutation M { trainingJobs { totalCount } }', 'schema { query: Query }', 'type T { a: Int }', 'extend type Query { x: Int }', 'scalar X']),
      };
  }
}

function absurdRequest(r: Rng): FuzzRequest {
  const { kind, rawVariables, ...op } = absurdDocument(r);
  const payload = rawVariables === undefined ? op : `{"query":${JSON.stringify(op.query)},"variables":${rawVariables}}`;
  return post('absurd', kind, payload, commonHeaders(r));
}

const TWO_MB = 2 * 1024 * 1024;

function rawRequest(kind: string, text: string | Buffer, mayNotAnswer = false): FuzzRequest {
  return {
    family: 'http',
    kind: `raw: ${kind}`,
    method: 'RAW',
    path: '/graphql',
    headers: {},
    raw: typeof text === 'string' ? Buffer.from(text, 'latin1') : text,
    mayNotAnswer,
  };
}

function httpRequestCase(r: Rng): FuzzRequest {
  const query = '{ trainingJobs(perPage: 1) { totalCount } }';
  const validBody = JSON.stringify({ query });
  const headers = commonHeaders(r);
  const c = r.int(0, 29);
  switch (c) {
    case 0:
    case 1: {
      const method = r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD']);
      const withBody = method !== 'HEAD' && method !== 'TRACE' && r.bool(0.7);
      return {
        family: 'http',
        kind: `method ${method}`,
        method,
        path: r.pick(['/graphql', `/graphql?query=${encodeURIComponent(query)}`]),
        headers: { ...headers, ...(withBody ? { 'content-type': 'application/json' } : {}) },
        ...(withBody ? { body: Buffer.from(validBody) } : {}),
      };
    }
    case 2:
    case 3: {
      const type = r.pick([
        'text/plain',
        'text/plain; charset=utf-8',
        'multipart/form-data',
        'multipart/form-data; boundary=----x',
        'application/x-www-form-urlencoded',
        'application/graphql',
        'application/json; charset=latin1',
        'application/json;;;',
        'APPLICATION/JSON',
        'application/jsonx',
        'application/graphql-response+json',
        'garbage',
        '',
        ';',
        'text/html',
        'application/octet-stream',
        '*/*',
      ]);
      const body = type.startsWith('application/x-www-form-urlencoded')
        ? r.pick([new URLSearchParams({ query }).toString(), validBody, 'query=%ZZ&&&=', 'a=b'])
        : type.startsWith('multipart')
          ? r.pick([validBody, `------x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${validBody}\r\n------x--\r\n`, '------x\r\n\r\n', '--'])
          : type === 'application/graphql'
            ? r.pick([query, validBody, 'garbage {'])
            : validBody;
      const h: Record<string, string | string[]> = { ...headers };
      if (type !== '' || r.bool()) h['content-type'] = type;
      return { family: 'http', kind: `content-type ${type || '(missing)'}`, method: 'POST', path: '/graphql', headers: h, body: Buffer.from(body) };
    }
    case 4:
    case 5: {
      const body = r.pick([
        '',
        ' ',
        '{',
        '}',
        '{"query": "{ __typename }"',
        '{"query": "{ __typename }"}}',
        "{'query': '{ __typename }'}",
        '{"query": "{ __typename }",}',
        '{query: "{ __typename }"}',
        'query={__typename}',
        '\u0000\u0001\u0002',
        '\ufeff{"query": "{ __typename }"}',
        '{"query": "\\ud800"}',
        '{"query": "{ __typename }", "query": 5}',
        '{"query": "{ __typename }"}\n{"query": "{ __typename }"}',
        `{"query": "${'\\'.repeat(1001)}"}`,
        r.chars(ODD_ASCII, r.int(1, 500)),
        '{"__proto__": {"query": "{ __typename }"}}',
        '{"constructor": {"prototype": {"query": 1}}}',
        'NaN',
        'Infinity',
        '{"query": "{ __typename }", "variables": NaN}',
      ]);
      return { family: 'http', kind: 'body that is not JSON', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(body) };
    }
    case 6:
    case 7: {
      const payload = r.pick<unknown>([
        [],
        [{ query }],
        [{ query }, { query: '{ __typename }' }],
        Array.from({ length: 100 }, () => ({ query })),
        0,
        -1,
        1e308,
        'query',
        query,
        null,
        true,
        false,
        {},
      ]);
      return post('http', `JSON that is not an object (${Array.isArray(payload) ? 'array' : payload === null ? 'null' : typeof payload})`, payload, headers);
    }
    case 8:
    case 9: {
      const value = r.pick<unknown>([5, 0, {}, { query }, [], [query], null, true, '', ' ', '#', 1e308]);
      return post('http', `query of type ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`, { query: value }, headers);
    }
    case 10:
    case 11: {
      const variables = r.pick<unknown>(['{}', '{"a": 1}', 'not json', '', [], [1, 2], 5, true, 'null', { __proto__: { polluted: true } }, JSON.parse('{"__proto__": {"polluted": true}}')]);
      return post('http', `variables of type ${Array.isArray(variables) ? 'array' : typeof variables}`, { query: 'query ($p: Int! = 1) { trainingJobs(page: $p) { totalCount } }', variables }, headers);
    }
    case 12: {
      const extensions = r.pick<unknown>(['garbage', 5, [], [1], null, true, { persistedQuery: { version: 1, sha256Hash: 'abc' } }, { persistedQuery: 'x' }, { a: { b: { c: [] } } }, '']);
      return post('http', 'extensions garbage', { query, extensions }, headers);
    }
    case 13: {
      const operationName = r.pick<unknown>(['Nowhere', '', 5, null, {}, [], 'A', 'a'.repeat(10_000)]);
      return post('http', 'operationName pointing nowhere', { query: r.pick([query, 'query A { __typename } query B { __typename }', 'query A { __typename }']), operationName }, headers);
    }
    case 14:
    case 15: {
      const params = r.pick<Record<string, string>>([
        { query },
        { query: '{ __typename }', variables: 'not json' },
        { query: '{ __typename }', variables: '[1]' },
        { query: '{ __typename }', variables: '{' },
        { query: '{ __typename }', extensions: '{"persistedQuery":1}' },
        { query: '{ __typename }', operationName: 'Nope' },
        { query: '' },
        { query: 'mutation { x }' },
        { query: 'subscription { x }' },
        { query: '{' },
        {},
        { q: '{ __typename }' },
        { query: 'x'.repeat(6000) },
      ]);
      const req = getWithParams('http', 'GET with query params', params, headers);
      if (r.bool(0.2)) req.path += r.pick(['&query=%ZZ', '&query={a}&query={b}', '&%00=%00', '&variables=%7B', '#frag', '&&&', '&query']);
      return req;
    }
    case 16: {
      // A 2 MB document, with Content-Length or chunked (about 10 of them).
      if (r.bool(0.5)) return rawCase(r);
      const chunked = r.bool();
      const filler = r.int(0, 3);
      const doc =
        filler === 0
          ? `# ${'x'.repeat(TWO_MB)}\n{ __typename }`
          : filler === 1
            ? `{ ${' '.repeat(TWO_MB)} __typename }`
            : filler === 2
              ? `{ trainingJobs(search: ${gqlString('y'.repeat(TWO_MB))}) { totalCount } }`
              : `{ ${'a '.repeat(TWO_MB / 2)} }`;
      return { family: 'http', kind: `2 MB document (${chunked ? 'chunked' : 'Content-Length'})`, method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ query: doc })), chunked };
    }
    case 17: {
      if (r.bool(0.5)) return rawCase(r);
      const body = r.pick([
        () => Buffer.from(`{"query": "{ __typename }", "pad": "${'z'.repeat(TWO_MB)}"}`),
        () => Buffer.from(r.chars(ODD_ASCII, 1024).repeat(TWO_MB / 1024)),
        () => Buffer.from(JSON.stringify({ query, variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])) })),
      ])();
      return { family: 'http', kind: '2 MB body that is not a document', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body, chunked: r.bool() };
    }
    case 18:
      return { family: 'http', kind: 'chunked body', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(validBody), chunked: true };
    case 19: {
      const encoding = r.pick(['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip']);
      const body = encoding === 'gzip' && r.bool() ? gzipSync(validBody) : Buffer.from(validBody);
      return { family: 'http', kind: `content-encoding ${encoding}`, method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json', 'content-encoding': encoding }, body };
    }
    case 20: {
      const path = r.pick(['/', '/graphql/', '/GRAPHQL', '/graphql/x', '/graphiql', '/health', '/ready', '/metrics', '/favicon.ico', '//graphql', '/graphql%00', '/%2e%2e/graphql', '/graphql;x', `/${'a'.repeat(4000)}`, '/.env', '/health?x=1']);
      return { family: 'http', kind: 'other paths', method: r.pick(['GET', 'POST', 'HEAD']), path, headers: r.bool() ? { ...headers, 'content-type': 'application/json' } : headers, ...(r.bool() ? { body: Buffer.from(validBody) } : {}) };
    }
    case 21:
      return { family: 'http', kind: 'empty POST', method: 'POST', path: '/graphql', headers: r.bool() ? { ...headers, 'content-type': 'application/json' } : headers, body: Buffer.alloc(0) };
    case 23:
      if (r.bool(0.7)) return rawCase(r);
      // A request head beyond Node's 16 KB limit: a long URL or a huge credential.
      return r.bool()
        ? { family: 'http', kind: 'request head over 16 KB', method: 'GET', path: `/graphql?query=${encodeURIComponent(`{ __typename ${'#'.repeat(17_000)}\n}`)}`, headers }
        : post('http', 'request head over 16 KB', { query }, { ...headers, 'x-auth-token': `${SECRET}${'t'.repeat(17_000)}` });
    case 22:
      return { family: 'http', kind: 'accept variants', method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json', accept: r.pick(['image/png', 'text/html', 'application/graphql-response+json;q=0', 'text/event-stream', 'multipart/mixed', '', '*/*;q=0.1', 'application/json, text/html']) }, body: Buffer.from(validBody) };
    default:
      return rawCase(r);
  }
}

function rawCase(r: Rng): FuzzRequest {
  const body = '{"query":"{ __typename }"}';
  const cl = Buffer.byteLength(body);
  const c = r.int(0, 17);
  switch (c) {
    case 0:
      return rawRequest('unknown method', `${r.pick(['FOO', 'GETT', 'get', 'P0ST', 'BREW'])} /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 1:
      // Node skips empty lines before a request line and waits for one: the client hangs up.
      if (r.bool(0.15)) return rawRequest('empty lines only, client closes', '\r\n\r\n', true);
      return rawRequest('garbage request line', r.pick(['GET\r\n\r\n', 'GET /graphql\r\n\r\n', 'GET /graphql HTTP/1.1 extra\r\nHost: x\r\n\r\n', `${r.chars(ODD_ASCII, 100)}\r\n\r\n`, 'POST /gra phql HTTP/1.1\r\nHost: x\r\n\r\n']));
    case 2:
      return rawRequest('HTTP version', `GET /graphql?query=%7B__typename%7D HTTP/${r.pick(['1.0', '1.2', '2.0', '9.9', '0.9', 'x'])}\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    case 3:
      return rawRequest('bad Content-Length', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${r.pick(['abc', '-1', '1.5', `${cl}, ${cl + 1}`, '99999999999999999999', ' '])}\r\nConnection: close\r\n\r\n${body}`);
    case 4:
      return rawRequest('duplicate Content-Length', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nContent-Length: ${cl + 3}\r\nConnection: close\r\n\r\n${body}`);
    case 5:
      return rawRequest('Content-Length and Transfer-Encoding', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${cl.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    case 6:
      return rawRequest('bad chunk framing', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${r.pick(['zz\r\nabc\r\n0\r\n\r\n', `${(cl + 5).toString(16)}\r\n${body}\r\n0\r\n\r\n`, `${cl.toString(16)};ext=${'e'.repeat(20_000)}\r\n${body}\r\n0\r\n\r\n`, '-1\r\n\r\n'])}`);
    case 7:
      return rawRequest('Content-Length shorter than body (smuggling)', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n${body}GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 8:
      return rawRequest('body cut short, client closes', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl + r.int(1, 5000)}\r\n\r\n${body.slice(0, r.int(0, cl))}`, true);
    case 9:
      return rawRequest('chunked body cut short, client closes', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${cl.toString(16)}\r\n${body.slice(0, 5)}`, true);
    case 10:
      return rawRequest('malformed header line', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\n${r.pick(['NoColon', 'Bad Name: x', ' folded: x', 'X-A : b', ': empty', 'X-Nul: a\u0000b', 'X-Ctl: a\u0001b'])}\r\nConnection: close\r\n\r\n`);
    case 11:
      return rawRequest('obs-fold header', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nX-Auth-Token: ${SECRET}\r\n  continued\r\nConnection: close\r\n\r\n`);
    case 12:
      return rawRequest('missing Host', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    case 13:
      return rawRequest('latin-1 token bytes', Buffer.concat([Buffer.from(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\nConnection: close\r\nX-Auth-Token: ${SECRET}`), Buffer.from([0xe9, 0xff, 0x80]), Buffer.from(`\r\n\r\n${body}`)]));
    case 14:
      return rawRequest('bare LF line endings', `GET /graphql?query=%7B__typename%7D HTTP/1.1\nHost: x\nAccept: application/json\nConnection: close\n\n`);
    case 15:
      return rawRequest('pipelined requests', `${`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Auth-Token: ${SECRET}\r\nContent-Length: ${cl}\r\n\r\n${body}`.repeat(r.int(2, 10))}GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    case 16:
      return rawRequest('absolute and odd request targets', `GET ${r.pick(['http://evil.example/graphql?query=%7B__typename%7D', '*', '/graphql?query=%7B__typename%7D#x', '/graphql?query=%7B__typename', '/graphql?query=\u00e9'])} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    default:
      return rawRequest('Expect: 100-continue', `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: ${r.pick(['100-continue', 'nonsense'])}\r\nContent-Length: ${cl}\r\nConnection: close\r\n\r\n${body}`);
  }
}

function headersRequest(r: Rng): FuzzRequest {
  const op = validOperation(new Rng(r.int(0, 2 ** 31)));
  const headers: Record<string, string | string[]> = { ...acceptHeader(r), ...authHeaders(r), ...requestIdHeader(r) };
  if (r.bool(0.2)) {
    headers[r.pick(['cookie', 'x-forwarded-for', 'forwarded', 'origin', 'referer', 'user-agent', 'accept-language', 'x-http-method-override'])] = r.pick([
      r.chars(ODD_ASCII, r.int(0, 300)),
      'x'.repeat(4000),
      'PUT',
      'null',
      'evil.example',
    ]);
  }
  if (r.bool(0.15)) {
    // Many small headers.
    for (let i = 0; i < r.int(10, 90); i++) headers[`x-fuzz-${i}`] = r.chars(HEADER_ALPHABET, 20);
  }
  const useQuery = r.bool(0.5)
    ? { query: '{ trainingJobs(perPage: 2) { totalCount jobs { id name } } }' }
    : op;
  if (r.bool(0.15)) return getWithParams('headers', 'GET with odd headers', { query: useQuery.query }, headers);
  return post('headers', 'POST with odd headers', useQuery, headers);
}

/**
 * One block of the run: the families in these proportions, then a few browsers asking for GraphiQL
 * (a large page, so only a handful). At BLOCK_SIZE requests this is `npm test`'s run, draw for draw.
 */
const BLOCK_PLAN: ReadonlyArray<readonly [Family, number]> = [
  ['valid', 560],
  ['mutated', 560],
  ['absurd', 280],
  ['http', 620],
  ['headers', 400],
];
const GRAPHIQL_METHODS = ['GET', 'HEAD', 'GET'];
const BLOCK_SIZE = BLOCK_PLAN.reduce((n, [, count]) => n + count, 0) + GRAPHIQL_METHODS.length;

/** How many requests of each family (BLOCK_PLAN's order) and GraphiQL pages a block of `size` sends. */
function blockPlan(size: number): { counts: number[]; graphiql: number } {
  const graphiql = Math.min(GRAPHIQL_METHODS.length, size, Math.max(1, Math.round((GRAPHIQL_METHODS.length * size) / BLOCK_SIZE)));
  const rest = size - graphiql;
  const planned = BLOCK_SIZE - GRAPHIQL_METHODS.length;
  const exact = BLOCK_PLAN.map(([, count]) => (count * rest) / planned);
  const counts = exact.map(Math.floor);
  // Largest remainders first, so that the counts add up to the block exactly.
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, short = rest - counts.reduce((a, b) => a + b, 0); k < short; k++) {
    const i = byRemainder[k]![1];
    counts[i] = counts[i]! + 1;
  }
  return { counts, graphiql };
}

function buildRequests(seed: number, size: number): FuzzRequest[] {
  const r = new Rng(seed);
  const seeds: Operation[] = Array.from({ length: 60 }, () => validOperation(r));
  seeds.push({ query: getIntrospectionQuery() });
  seeds.push({
    query: 'query RunningJobs($page: Int! = 1) { trainingJobs(status: RUNNING, page: $page, perPage: 5, sortBy: CREATE_TIME, order: DESC) { totalCount pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs } jobs { id name status statusCode createdAt duration versionCount } } }',
    variables: { page: 2 },
  });
  seeds.push({ query: 'query A { ...F } fragment F on Query { trainingJobs @include(if: true) { totalCount } }', operationName: 'A' });
  const make: Record<Family, () => FuzzRequest> = {
    valid: () => validRequest(r),
    mutated: () => mutatedRequest(r, seeds),
    absurd: () => absurdRequest(r),
    http: () => httpRequestCase(r),
    headers: () => headersRequest(r),
  };
  const { counts, graphiql } = blockPlan(size);
  const requests: FuzzRequest[] = [];
  BLOCK_PLAN.forEach(([family], i) => {
    for (let k = 0; k < counts[i]!; k++) requests.push(make[family]());
  });
  for (let i = 0; i < graphiql; i++) {
    requests.push({ family: 'http', kind: 'GraphiQL page', method: GRAPHIQL_METHODS[i % GRAPHIQL_METHODS.length]!, path: '/graphql', headers: { accept: 'text/html' } });
  }
  return r.shuffle(requests);
}

// ---------------------------------------------------------------------------------------------
// The run's size and seed, from the environment.

type TargetKind = 'stack' | 'process';

interface FuzzSettings {
  runs: number;
  seed: number;
  target: TargetKind;
  /** Where to record a passing run (a section of this file), if anywhere. */
  out?: string;
  report?: string;
  command?: string;
  verbose: boolean;
}

function parseSeed(text: string): number | undefined {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff ? value : undefined;
}

const hex = (seed: number) => `0x${seed.toString(16).padStart(8, '0')}`;

function fuzzSettings(env: NodeJS.ProcessEnv): FuzzSettings {
  const problems: string[] = [];
  const given = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const runsText = given('FUZZ_RUNS');
  const runs = runsText === undefined ? BLOCK_SIZE : /^\d{1,9}$/.test(runsText) ? Number(runsText) : NaN;
  if (!(runs >= 1)) problems.push(`FUZZ_RUNS must be a whole number of requests, 1 or more (got ${JSON.stringify(runsText)})`);
  const seedText = given('FUZZ_SEED');
  const seed = seedText === undefined ? DEFAULT_SEED : parseSeed(seedText);
  if (seed === undefined) problems.push(`FUZZ_SEED must be a 32-bit number, decimal or 0x hex (got ${JSON.stringify(seedText)})`);
  const target = given('FUZZ_TARGET') ?? 'stack';
  if (target !== 'stack' && target !== 'process') problems.push(`FUZZ_TARGET must be stack or process (got ${JSON.stringify(target)})`);
  if (problems.length > 0) throw new Error(`fuzz settings: ${problems.join('; ')}`);
  const out = given('FUZZ_OUT');
  return {
    runs,
    seed: seed!,
    target: target as TargetKind,
    ...(out !== undefined && out !== '-' ? { out } : {}),
    ...(given('FUZZ_REPORT') ? { report: given('FUZZ_REPORT') } : {}),
    ...(given('FUZZ_COMMAND') ? { command: given('FUZZ_COMMAND') } : {}),
    verbose: Boolean(given('FUZZ_VERBOSE')),
  };
}

/**
 * The run in blocks of at most BLOCK_SIZE, each built and shuffled like `npm test`'s one from a
 * seed of its own: the families keep their proportions at any size, and only one block's
 * requests (a few dozen of them 1-2 MB) are held at a time. The first block's seed is the run's.
 */
function blocks(runs: number, seed: number): Array<{ seed: number; size: number }> {
  const count = Math.ceil(runs / BLOCK_SIZE);
  const seeds = new Rng(seed ^ 0xb10c_5eed);
  return Array.from({ length: count }, (_, i) => ({
    seed: i === 0 ? seed : Math.floor(seeds.next() * 2 ** 32),
    size: Math.floor(runs / count) + (i < runs % count ? 1 : 0),
  }));
}

const SETTINGS = fuzzSettings(process.env);
const TEST_TIMEOUT_MS = BLOCK_TIMEOUT_MS * Math.ceil(SETTINGS.runs / BLOCK_SIZE);

// ---------------------------------------------------------------------------------------------
// Sending.

function sendHttp(url: URL, agent: Agent, req: FuzzRequest, retry = true): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let requestId: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(requestId === undefined || outcome.requestId !== undefined ? outcome : { ...outcome, requestId });
    };
    /** Ends the request from this side; never once settled, when the socket may serve another. */
    const hangUp = (outcome: () => Outcome) => {
      if (settled) return;
      finish(outcome());
      client.destroy();
    };
    const headers: Record<string, string | string[]> = { ...req.headers };
    if (req.body && !req.chunked) headers['content-length'] = String(req.body.length);
    let status: number | undefined;
    let contentType = '';
    const chunks: Buffer[] = [];
    const client = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        status = res.statusCode ?? 0;
        contentType = String(res.headers['content-type'] ?? '');
        if (typeof res.headers['x-request-id'] === 'string') requestId = res.headers['x-request-id'];
        if (/^(text\/event-stream|multipart\/mixed)/i.test(contentType)) {
          timers.push(setTimeout(() => hangUp(() => ({ status: status ?? 0, contentType, body: Buffer.concat(chunks), streamCut: true })), STREAM_READ_MS));
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => finish({ status: status ?? 0, contentType, body: Buffer.concat(chunks) }));
        res.on('error', (err) => finish({ status: 'error', contentType, body: Buffer.concat(chunks), error: `response: ${err.message}` }));
      },
    );
    client.setTimeout(REQUEST_TIMEOUT_MS, () => hangUp(() => ({ status: 'timeout', contentType, body: Buffer.concat(chunks) })));
    // The idle timeout starts only once the agent hands out a socket, and bytes reset it.
    timers.push(setTimeout(() => hangUp(() => ({ status: 'timeout', contentType, body: Buffer.concat(chunks), error: `still going after ${REQUEST_DEADLINE_MS} ms` })), REQUEST_DEADLINE_MS));
    client.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && client.reusedSocket && err.code === 'ECONNRESET' && status === undefined) {
        void sendHttp(url, agent, req, false).then(finish);
      } else if (status !== undefined && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) {
        // The server answered before reading the whole body, then closed: the answer counts.
        finish({ status, contentType, body: Buffer.concat(chunks) });
      } else {
        finish({ status: 'error', contentType, body: Buffer.concat(chunks), error: `${err.code ?? ''} ${err.message}` });
      }
    });
    if (req.body && req.chunked) {
      const step = Math.max(1, Math.ceil(req.body.length / 4));
      for (let at = 0; at < req.body.length; at += step) client.write(req.body.subarray(at, at + step));
      client.end();
    } else {
      client.end(req.body);
    }
  });
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseRaw(all: Buffer): Outcome {
  // Skip interim answers (100 Continue): the final one counts.
  let data = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1')) && data.indexOf('\r\n\r\n') >= 0) {
    data = data.subarray(data.indexOf('\r\n\r\n') + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end < 0 ? data.length : end).toString('latin1');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!match) return { status: 'error', contentType: '', body: data, error: `not an HTTP response: ${JSON.stringify(head.slice(0, 80))}` };
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (/chunked/i.test(field('transfer-encoding') ?? '')) body = decodeChunked(body);
  else if (field('content-length') !== undefined) body = body.subarray(0, Number(field('content-length')));
  const requestId = field('x-request-id');
  return { status: Number(match[1]), contentType: field('content-type') ?? '', body, ...(requestId ? { requestId } : {}) };
}

function sendRaw(url: URL, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(
      () => finish(chunks.length > 0 ? parseRaw(Buffer.concat(chunks)) : { status: 'timeout', contentType: '', body: Buffer.alloc(0), error: `still going after ${REQUEST_DEADLINE_MS} ms` }),
      REQUEST_DEADLINE_MS,
    );
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(req.raw ?? Buffer.alloc(0));
      if (req.mayNotAnswer) socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      if (chunks.length > 0) finish(parseRaw(Buffer.concat(chunks)));
      else finish({ status: req.mayNotAnswer ? 'no answer' : 'error', contentType: '', body: Buffer.alloc(0), error: err.message });
    });
    socket.on('close', () => {
      if (chunks.length > 0) finish(parseRaw(Buffer.concat(chunks)));
      else finish({ status: 'no answer', contentType: '', body: Buffer.alloc(0) });
    });
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
      finish(chunks.length > 0 ? parseRaw(Buffer.concat(chunks)) : { status: 'timeout', contentType: '', body: Buffer.alloc(0) });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Checking one answer.

function describeRequest(req: FuzzRequest): string {
  const excerpt = (text: string) => JSON.stringify(text.length > 240 ? `${text.slice(0, 240)}…` : text);
  if (req.raw) return `raw (${req.raw.length} bytes) ${excerpt(req.raw.toString('latin1'))}`;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${excerpt(String(v)).slice(0, 80)}`)
    .join(', ');
  const body = req.body ? ` body (${req.body.length} bytes${req.chunked ? ', chunked' : ''}) ${excerpt(req.body.toString('utf8'))}` : '';
  return `${req.method} ${excerpt(req.path)} [${headers}]${body}`;
}

function wellFormedProblems(parsed: unknown): string[] {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return ['JSON body is not an object'];
  const result = parsed as Record<string, unknown>;
  if (!('data' in result) && !('errors' in result)) return ['JSON body has neither data nor errors'];
  const problems: string[] = [];
  if ('data' in result && result['data'] !== null && (typeof result['data'] !== 'object' || Array.isArray(result['data']))) problems.push('data is not an object or null');
  if ('errors' in result) {
    const errors = result['errors'];
    if (!Array.isArray(errors) || errors.length === 0) problems.push('errors is not a non-empty array');
    else if (!errors.every((e) => e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string')) {
      problems.push('an error is not an object with a string message');
    }
  }
  return problems;
}

function checkOutcome(req: FuzzRequest, outcome: Outcome, leakRules: Array<[string, RegExp]>): string[] {
  const problems: string[] = [];
  const { status } = outcome;
  if (status === 'timeout') return [`hangs: ${outcome.error ?? `no answer within ${REQUEST_TIMEOUT_MS} ms`}`];
  if (status === 'error') return [`connection error: ${outcome.error ?? ''}`];
  if (status === 'no answer') return req.mayNotAnswer ? [] : ['closes the connection without answering'];
  if (status >= 500) problems.push(`status ${status} (5xx)`);
  else if (!ALLOWED_STATUSES.has(status)) problems.push(`undocumented status ${status}`);

  const text = outcome.body.toString('utf8');
  const isGraphiQL = req.kind === 'GraphiQL page' && outcome.contentType.startsWith('text/html');
  // What the client sent (path and body, not headers: a credential lives in a header) may be
  // echoed back; anything matching a leak rule that the client did not send is a leak.
  const sent = `${req.path}\n${req.body?.toString('utf8') ?? ''}\n${req.raw?.toString('latin1').replace(/X-Auth-Token:[^\r\n]*/gi, '') ?? ''}`;
  for (const [what, pattern] of leakRules) {
    // The GraphiQL bundle has minified code like `      at = class extends st {`: not a trace.
    if (isGraphiQL && what === 'a stack trace line') continue;
    if (pattern.test(text) && !pattern.test(sent)) problems.push(`body leaks ${what}`);
  }

  const path = req.raw ? '/graphql' : req.path.split('?', 1)[0];
  const isJson = /^application\/(json|graphql-response\+json)\b/i.test(outcome.contentType);
  if (isJson && path === '/graphql' && req.method !== 'HEAD') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problems.push(`JSON body does not parse: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (parsed !== undefined) problems.push(...wellFormedProblems(parsed));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The gateway under fuzz: in this process, as `npm test` runs it, or the built one as the
// container runs it, where a crash is the process exiting.

interface Target {
  origin: string;
  emulator: Emulator;
  /** For the summary and the record. */
  description: string;
  /** The gateway's log lines at warn and above since the last call (then forgotten). */
  takeLogs(): Array<Record<string, unknown>>;
  /** Why the gateway's process is gone, once it is. */
  gone(): string | undefined;
  /** What the gateway's process wrote to stderr (pino logs to stdout: anything here is Node's). */
  stderr(): string;
  close(): Promise<void>;
}

async function stackTarget(): Promise<Target> {
  const stack = await startStack();
  return {
    origin: stack.origin,
    emulator: stack.emulator,
    description: 'the gateway in the test process (test/support/stack.ts), defaults, with the emulator',
    // Logged at debug: emptied as it is read, or a long run would hold every line.
    takeLogs: () => stack.logs.splice(0).filter((line) => Number(line['level']) >= 40),
    gone: () => undefined,
    stderr: () => '',
    close: () => stack.close(),
  };
}

async function processTarget(): Promise<Target> {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`FUZZ_TARGET=process runs the build, and ${main} is missing: npm run build (npm run fuzz builds first)`);
  const emulator = await createEmulator().listen(0, '127.0.0.1');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      MODELARTS_ENDPOINT: emulator.url,
      MODELARTS_PROJECT_ID: 'test-project',
      // Every request at info would be ~100 MB of lines to parse here; warn keeps what matters.
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ level: 50, msg: `stdout line that is not a JSON log line: ${line.slice(0, 300)}` });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 100_000) stderr += chunk;
  });
  let exit: string | undefined;
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) exit = `the gateway process exited (${signal ?? `code ${code}`})`;
  });
  // 'close', not 'exit': the output is read to its end by then.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exit !== undefined) throw new Error(`${exit} before answering: ${stderr.slice(-2000)}`);
    try {
      if ((await fetch(`${origin}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway process did not answer /health within 30 s: ${stderr.slice(-2000)}`);
    }
    await sleep(50);
  }
  return {
    origin,
    emulator,
    description: 'the built gateway (`node dist/src/main.js`, NODE_ENV=production, LOG_LEVEL=warn, defaults otherwise) against the emulator in the test process',
    takeLogs: () => logs.splice(0),
    gone: () => exit,
    stderr: () => stderr,
    async close() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await closed;
        clearTimeout(kill);
      }
      await emulator.close();
    },
  };
}

/**
 * Errors nobody caught in this process while requests are sent. With the stack target this is the
 * gateway's process, so each is a crash (main.ts would exit on an exception). Listened to only
 * then: vitest stops reporting these errors itself while any other listener is on (it takes that
 * listener for the test's own handling), and the errors outside that window are for it to report.
 */
const uncaught: Array<{ what: string; stack: string }> = [];
const onUncaught = (what: string) => (err: unknown) =>
  void uncaught.push({
    what: `${what}: ${(err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 300)}`,
    stack: (err instanceof Error ? (err.stack ?? '') : '').split('\n').slice(1, 12).map((l) => l.trim()).join('\n    '),
  });
const onException = onUncaught('uncaught exception');
const onRejection = onUncaught('unhandled rejection');

let target: Target;
/** Read before the run, for the record: a commit made during the run is not the one fuzzed. */
let provenance: { revision: string; machine: string } | undefined;
beforeAll(async () => {
  if (SETTINGS.out) {
    const { machine, revision } = await import('../bench/lib/provenance.ts');
    provenance = { revision: revision(), machine: machine() };
  }
  target = SETTINGS.target === 'process' ? await processTarget() : await stackTarget();
}, 60_000);
afterAll(() => target?.close());

async function checkpoint(): Promise<string[]> {
  const problems: string[] = [];
  try {
    const health = await fetch(`${target.origin}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (health.status !== 200) problems.push(`GET /health answers ${health.status}`);
    const res = await fetch(`${target.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH },
      body: JSON.stringify({ query: '{ trainingJobs(perPage: 2) { totalCount jobs { id name } } }' }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json()) as { data?: { trainingJobs?: { jobs?: unknown[] } | null }; errors?: unknown };
    if (res.status !== 200 || body.errors !== undefined || body.data?.trainingJobs?.jobs?.length !== 2) {
      problems.push(`a normal query answers ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
  } catch (err) {
    problems.push(`the gateway does not answer a normal query: ${(err as Error).message}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The summary: printed, written as JSON for npm run fuzz, and recorded in docs/benchmarks.md.

interface Slowest {
  ms: number;
  kind: string;
  status: string;
  /** Block and index in the shuffled block: with the seed, enough to find the request again. */
  at: string;
  request: string;
}

interface FuzzSummary {
  seed: string;
  runs: number;
  sent: number;
  blocks: number;
  checkpoints: number;
  target: TargetKind;
  targetDescription: string;
  durationMs: number;
  /** Of durationMs, the time spent generating requests (a block at a time), not sending them. */
  buildMs: number;
  /** Status counts per family, and over all. */
  families: Record<string, Record<string, number>>;
  statuses: Record<string, number>;
  fiveXX: number;
  crashes: string[];
  failedCheckpoints: number;
  /** Why the run stopped before its last request, if it did. */
  halted?: string;
  slowest?: Slowest;
  upstreamCalls: number;
  internalErrorBodies: number;
  /** Answers that were streams (subscriptions), hung up on after STREAM_READ_MS. */
  streamsCut: number;
  /** `level msg` of the gateway's log lines at warn and above, with counts. */
  gatewayLogs: Record<string, number>;
  /** A few of its error lines, each with the request it answered (found by X-Request-Id). */
  gatewayErrors: string[];
  stderr: string;
  failures: string[];
  passed: boolean;
  rerun: string;
  text: string;
}

const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

function statusOrder(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
  return Number.isNaN(x) ? a.localeCompare(b) : x - y;
}

const counts = (statuses: Record<string, number>) =>
  Object.entries(statuses).sort(([a], [b]) => statusOrder(a, b)).map(([s, n]) => `${s}=${n}`).join(' ');

function summaryText(s: Omit<FuzzSummary, 'text'>): string {
  const width = Math.max(...Object.keys(s.families).map((f) => f.length), 3);
  const logs = Object.entries(s.gatewayLogs).map(([line, n]) => `${line} ×${n}`).join(', ') || 'none';
  return [
    `fuzz: seed ${s.seed}, ${s.sent} of ${s.runs} requests sent in ${s.blocks} block(s), ${(s.durationMs / 1000).toFixed(1)} s ` +
      `(${(s.buildMs / 1000).toFixed(1)} s of it generating them), ${CONCURRENCY} in flight; ` +
      `target: ${s.targetDescription}`,
    ...Object.entries(s.families).map(([family, st]) => `  ${family.padEnd(width)} ${String(Object.values(st).reduce((a, b) => a + b, 0)).padStart(6)}: ${counts(st)}`),
    `  ${'all'.padEnd(width)} ${String(s.sent).padStart(6)}: ${counts(s.statuses)}`,
    `  5xx ${s.fiveXX}; crashes ${s.crashes.length}${s.crashes.length ? ` (${s.crashes.join('; ')})` : ''}; failed checkpoints ${s.failedCheckpoints} of ${s.checkpoints}; ` +
      `failures ${s.failures.length}; INTERNAL_SERVER_ERROR bodies ${s.internalErrorBodies}; streams hung up on ${s.streamsCut}; upstream calls ${s.upstreamCalls}` +
      `${s.halted ? `; STOPPED EARLY: ${s.halted}` : ''}`,
    `  gateway log lines at warn and above: ${logs}${s.stderr ? `; its stderr: ${JSON.stringify(s.stderr.slice(0, 300))}` : ''}`,
    ...s.gatewayErrors.map((e) => `    ${e}`),
    s.slowest ? `  slowest: ${s.slowest.ms} ms, ${s.slowest.kind} -> ${s.slowest.status} (block ${s.slowest.at.replace(':', ', request ')})` : '  slowest: none sent',
    `  ${s.passed ? 'passed' : 'FAILED'}; rerun: ${s.rerun}`,
  ].join('\n');
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function section(s: FuzzSummary, recorded: { revision: string; machine: string; command: string }): string {
  const columns = Object.keys(s.statuses).sort(statusOrder);
  const row = (name: string, st: Record<string, number>, total: number) =>
    `| ${name} | ${total} | ${columns.map((c) => st[c] ?? 0).join(' | ')} |`;
  const logs = Object.entries(s.gatewayLogs).map(([line, n]) => `\`${mdCell(line)}\` ×${n}`).join(', ') || 'none';
  const slow = s.slowest!;
  return `## Fuzz (npm run fuzz)

The fuzz suite (test/fuzz.test.ts) at scale: random valid, mutated and absurd (huge, deep, repeated) GraphQL
documents, malformed HTTP (framing, methods, content types, bodies) and odd headers and credentials, on real
sockets. Every answer must carry a documented status, be well-formed where it is JSON, and hold no stack trace,
upstream address or credential; a normal query must succeed at every checkpoint; any 5xx, hang or crash fails
the run. Produced by \`npm run fuzz -- --runs N [--seed N]\` (scripts/fuzz.mjs; not part of \`npm test\`, which
runs the same suite in process at ${BLOCK_SIZE} requests with the seed ${hex(DEFAULT_SEED)}); it prints the seed
first and the summary last, and records a passing run here (\`--no-record\` records none).

- Command: \`${recorded.command}\`; rerun exactly: \`${s.rerun}\`
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; gateway revision ${recorded.revision}
- Machine: ${recorded.machine}
- Target: ${s.targetDescription}; ${CONCURRENCY} requests in flight; one silent for ${REQUEST_TIMEOUT_MS / 1000} s, or unfinished after ${REQUEST_DEADLINE_MS / 1000} s, is a hang
- Seed ${s.seed}; ${s.sent} requests in ${s.blocks} blocks (each built and shuffled like \`npm test\`'s run, from a seed drawn from this one), ${s.checkpoints} checkpoints
- Duration: ${(s.durationMs / 1000).toFixed(1)} s, of which ${(s.buildMs / 1000).toFixed(1)} s generating requests (${Math.round(s.sent / ((s.durationMs - s.buildMs) / 1000))} requests/s while sending)
- 5xx: ${s.fiveXX}; crashes: ${s.crashes.length}; failed checkpoints: ${s.failedCheckpoints}; other failures: ${s.failures.length}
- Slowest request: ${slow.ms} ms, ${mdCell(slow.kind)} → ${slow.status} (block ${slow.at.replace(':', ', request ')}); not counting the ${s.streamsCut} answers that were subscription streams, which the fuzzer reads for ${STREAM_READ_MS / 1000} s and then hangs up on
- Also: ${s.internalErrorBodies} answers with INTERNAL_SERVER_ERROR; gateway log lines at warn and above: ${logs}; gateway stderr: ${s.stderr ? `\`${mdCell(s.stderr.slice(0, 200))}\`` : 'empty'}; ${s.upstreamCalls} upstream calls
${s.gatewayErrors.map((e) => `  - an error line: \`${mdCell(e)}\`\n`).join('')}
Statuses by family ("no answer": raw requests the client cuts short, where closing without an answer is allowed):

| family | requests | ${columns.join(' | ')} |
| --- | ---: | ${columns.map(() => '---:').join(' | ')} |
${Object.entries(s.families).map(([family, st]) => row(family, st, Object.values(st).reduce((a, b) => a + b, 0))).join('\n')}
| all | ${s.sent} | ${columns.map((c) => `**${s.statuses[c] ?? 0}**`).join(' | ')} |
`;
}

it('answers thousands of random, mutated, oversized and malformed requests with documented statuses and clean bodies', async () => {
  const runBlocks = blocks(SETTINGS.runs, SETTINGS.seed);
  const url = new URL(target.origin);
  const emulatorPort = new URL(target.emulator.url).port;
  const leakRules: Array<[string, RegExp]> = [
    ['a stack trace line', / {4}at /],
    ['a .ts: file reference', /\.ts:/],
    ['the upstream address 127.0.0.1', /127\.0\.0\.1/],
    [`the emulator port ${emulatorPort}`, new RegExp(`(?<![0-9])${emulatorPort}(?![0-9])`)],
    ['a credential', new RegExp(`${SECRET}|test-token`)],
  ];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses: Record<string, number> = {};
  const families: Record<string, Record<string, number>> = Object.fromEntries(BLOCK_PLAN.map(([family]) => [family, {}]));
  const failures = new Map<string, { count: number; example: string }>();
  const crashes: string[] = [];
  const crash = (what: string, detail: string) => {
    crashes.push(what);
    failures.set(`crash: ${what}`, { count: 1, example: detail });
  };
  let failedCheckpoints = 0;
  let checkpoints = 0;
  let sent = 0;
  const timings: Array<{ ms: number; kind: string; status: string }> = [];
  let slowest: Slowest | undefined;
  const masked: string[] = [];
  const gatewayLogs: Record<string, number> = {};
  const gatewayErrors: string[] = [];
  let buildMs = 0;
  let streamsCut = 0;

  const record = (req: FuzzRequest, outcome: Outcome, at: string) => {
    const key = String(outcome.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    const family = (families[req.family] ??= {});
    family[key] = (family[key] ?? 0) + 1;
    for (const problem of checkOutcome(req, outcome, leakRules)) {
      const group = `${req.family} / ${req.kind}: ${problem.replace(/: .*$/s, '')}`;
      const seen = failures.get(group);
      if (seen) seen.count++;
      else {
        const excerpt = outcome.body.toString('utf8').slice(0, 300);
        failures.set(group, { count: 1, example: `${problem}\n    request (block ${at.replace(':', ', index ')}): ${describeRequest(req)}\n    answer: ${String(outcome.status)} ${outcome.contentType} ${JSON.stringify(excerpt)}` });
      }
    }
  };
  /** This block's answers by X-Request-Id (a few clients send the same id: then the last one). */
  let answered = new Map<string, { at: string; req: FuzzRequest; answer: string }>();
  const readLogs = () => {
    for (const line of target.takeLogs()) {
      const level = Number(line['level']);
      const msg = String(line['msg'] ?? '');
      const key = `${LEVELS[level] ?? level} ${msg}`;
      gatewayLogs[key] = (gatewayLogs[key] ?? 0) + 1;
      const error = JSON.stringify(line['error'] ?? null).slice(0, 300);
      if (level >= 50 && gatewayErrors.length < 10 && !gatewayErrors.some((e) => e.startsWith(`${key}: ${error}`))) {
        const by = answered.get(String(line['requestId']));
        const request = by ? `block ${by.at.replace(':', ', request ')}: ${describeRequest(by.req).slice(0, 400)} -> ${by.answer}` : 'no answer the fuzzer received carried its request id';
        gatewayErrors.push(`${key}: ${error} <- ${request}`);
      }
      // main.ts logs both and goes on (a rejection) or exits (an exception): either is a crash.
      if (msg === 'uncaught exception' || msg === 'unhandled rejection') {
        crash(`the gateway logged ${msg}: ${JSON.stringify(line['error'] ?? null).slice(0, 300)}`, JSON.stringify(line).slice(0, 2000));
      }
    }
  };

  const started = Date.now();
  const deadline = started + TEST_TIMEOUT_MS - SUMMARY_MARGIN_MS;
  /** Why the run stopped early: a hang or a gateway that no longer answers makes the rest noise. */
  let halt: string | undefined;
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  try {
    run: for (const [b, block] of runBlocks.entries()) {
      const building = Date.now();
      const requests = buildRequests(block.seed, block.size);
      buildMs += Date.now() - building;
      answered = new Map();
      const batch = Math.ceil(requests.length / CHECKPOINTS);
      for (let from = 0; from < requests.length; from += batch) {
        const end = Math.min(requests.length, from + batch);
        let next = from;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < end && halt === undefined && target.gone() === undefined) {
              if (Date.now() > deadline) {
                halt = `out of time: the test's ${TEST_TIMEOUT_MS / 1000} s were nearly up after ${sent} requests`;
                break;
              }
              const index = next++;
              const req = requests[index] as FuzzRequest;
              const t0 = Date.now();
              const outcome = req.raw ? await sendRaw(url, req) : await sendHttp(url, agent, req);
              const ms = Date.now() - t0;
              const kind = `${req.family} / ${req.kind}`;
              timings.push({ ms, kind, status: String(outcome.status) });
              if (outcome.streamCut) streamsCut++;
              // A stream hung up on takes STREAM_READ_MS by this side's choice: not slow.
              else if (!slowest || ms > slowest.ms) slowest = { ms, kind, status: String(outcome.status), at: `${b}:${index}`, request: describeRequest(req).slice(0, 500) };
              if (outcome.body.includes('INTERNAL_SERVER_ERROR')) masked.push(`${kind}: ${describeRequest(req).slice(0, 300)} -> ${String(outcome.status)} ${outcome.body.toString('utf8').slice(0, 200)}`);
              record(req, outcome, `${b}:${index}`);
              if (outcome.status === 'timeout') halt ??= `a request hung (block ${b}, request ${index}: ${kind})`;
              if (outcome.requestId !== undefined) answered.set(outcome.requestId, { at: `${b}:${index}`, req, answer: `${String(outcome.status)} ${JSON.stringify(outcome.body.toString('utf8').slice(0, 200))}` });
              sent++;
            }
          }),
        );
        const gone = target.gone();
        if (gone !== undefined) {
          // Everything after this would be a connection error: stop, and say where it happened.
          readLogs();
          crash(`${gone} during requests ${from}-${end - 1} of block ${b}, after ${sent} answers`, `its stderr: ${JSON.stringify(target.stderr().slice(-2000))}`);
          break run;
        }
        checkpoints++;
        const down = await checkpoint();
        if (down.length > 0) {
          failedCheckpoints++;
          failures.set(`checkpoint after ${sent} requests (block ${b})`, { count: 1, example: down.join('; ') });
          halt ??= `the gateway failed the checkpoint after ${sent} requests`;
        }
        if (halt !== undefined) {
          failures.set(`stopped early: ${halt}`, { count: 1, example: `${sent} of ${SETTINGS.runs} requests sent; the checkpoint after them: ${down.length > 0 ? down.join('; ') : 'passed'}` });
          readLogs();
          break run;
        }
      }
      readLogs();
      if (runBlocks.length > 1) {
        // A long run says how it goes, so a stall shows while it happens.
        const fiveXX = Object.entries(statuses).filter(([st]) => /^5\d\d$/.test(st)).reduce((n, [, c]) => n + c, 0);
        console.log(`fuzz: block ${b + 1} of ${runBlocks.length} done: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; 5xx ${fiveXX}, crashes ${crashes.length}, failures ${failures.size}`);
      }
    }
  } finally {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
    agent.destroy();
  }
  const durationMs = Date.now() - started;
  readLogs();
  for (const { what, stack } of uncaught.splice(0)) {
    if (SETTINGS.target === 'stack') {
      crash(`${what} (in the process running the gateway)`, stack || '(no stack)');
    } else {
      failures.set(`the test process itself: ${what}`, { count: 1, example: `not the gateway: the fuzzer or its emulator\n${stack}` });
    }
  }

  const fiveXX = Object.entries(statuses).filter(([s]) => /^5\d\d$/.test(s)).reduce((n, [, c]) => n + c, 0);
  const report = [...failures].map(([group, { count, example }]) => `${group} (×${count})\n  ${example}`);
  const seedText = hex(SETTINGS.seed);
  const partial: Omit<FuzzSummary, 'text'> = {
    seed: seedText,
    runs: SETTINGS.runs,
    sent,
    blocks: runBlocks.length,
    checkpoints,
    target: SETTINGS.target,
    targetDescription: target.description,
    durationMs,
    buildMs,
    families,
    statuses,
    fiveXX,
    crashes,
    failedCheckpoints,
    ...(halt !== undefined ? { halted: halt } : {}),
    ...(slowest ? { slowest } : {}),
    upstreamCalls: target.emulator.requests.length,
    internalErrorBodies: masked.length,
    streamsCut,
    gatewayLogs,
    gatewayErrors,
    stderr: target.stderr(),
    failures: report,
    passed: report.length === 0,
    rerun: `npm run fuzz -- --runs ${SETTINGS.runs} --seed ${seedText} --target ${SETTINGS.target}`,
  };
  const summary: FuzzSummary = { ...partial, text: summaryText(partial) };
  console.log(summary.text);
  if (SETTINGS.verbose) {
    // Diagnostics: the slowest requests, and the statuses of every sub-case.
    console.log([...timings].sort((a, b) => b.ms - a.ms).slice(0, 25).map((t) => `${t.ms} ms ${t.kind} -> ${t.status}`).join('\n'));
    const byKind = new Map<string, Map<string, number>>();
    for (const { kind, status } of timings) {
      const counts = byKind.get(kind) ?? new Map<string, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      byKind.set(kind, counts);
    }
    console.log([...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => `${k}: ${[...c].map(([st, n]) => `${st}=${n}`).join(' ')}`).join('\n'));
    console.log(`masked INTERNAL_SERVER_ERROR: ${masked.length}\n${masked.slice(0, 20).join('\n')}`);
  }
  if (report.length > 0) console.log(`fuzz failures:\n${report.join('\n')}`);
  if (SETTINGS.report) writeFileSync(SETTINGS.report, `${JSON.stringify(summary, null, 2)}\n`);
  // Only a passing run is recorded: a failing one is a bug to report, with its seed, not a result.
  if (SETTINGS.out && summary.passed && provenance) {
    const { FUZZ_HEADING, writeSection } = await import('../bench/lib/sections.ts');
    const command = SETTINGS.command ?? `FUZZ_RUNS=${SETTINGS.runs} FUZZ_SEED=${seedText} FUZZ_TARGET=${SETTINGS.target} npx vitest run test/fuzz.test.ts`;
    writeSection(SETTINGS.out, FUZZ_HEADING, section(summary, { ...provenance, command }));
    console.log(`fuzz: recorded in ${SETTINGS.out} (${FUZZ_HEADING})`);
  }
  expect(report).toEqual([]);
}, TEST_TIMEOUT_MS);
