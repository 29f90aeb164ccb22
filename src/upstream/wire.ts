/**
 * The upstream's shapes exactly as sent (UPSTREAM.md "Request", "Response (200)", "Errors"),
 * and the JSON parser that reads them. Only this file and mapping.ts know snake_case.
 */
import { createRequire } from 'node:module';
import type { parse as ParseLossless } from 'lossless-json';

// Loaded on first need: most pages never carry an id beyond 2^53, and start-up is shorter without it.
let parseLossless: typeof ParseLossless | undefined;
const lossless = () =>
  (parseLossless ??= (createRequire(import.meta.url)('lossless-json') as { parse: typeof ParseLossless }).parse);

/** A Long as parsed: a number when it fits 2^53 exactly, a bigint when it does not. */
export type WireLong = number | bigint;

export interface WireJob {
  job_id: WireLong;
  job_name: string;
  version_id: WireLong;
  status: number;
  create_time: WireLong;
  duration: WireLong;
  job_desc?: string | null;
  version_count: WireLong;
}

export interface WirePage {
  is_success?: boolean;
  job_total_count: number;
  job_count_limit?: number | null;
  quotas?: number | null;
  jobs: WireJob[];
}

/** The three error body shapes (UPSTREAM.md "Errors"); every key optional. */
export interface WireError {
  is_success?: boolean;
  error_code?: string;
  error_message?: string;
  error_msg?: string;
  request_id?: string;
}

/** Query keys of GET /v1/{project_id}/training-jobs, in the order we send them. */
export interface WireQuery {
  status?: string;
  per_page: string;
  page: string;
  sortBy: string;
  order: string;
  search_content?: string;
  workspace_id: string;
}

export const WIRE_SORT_FIELDS = {
  JOB_NAME: 'job_name',
  JOB_DESC: 'job_desc',
  STATUS: 'status',
  DURATION: 'duration',
  VERSION_COUNT: 'version_count',
  CREATE_TIME: 'create_time',
} as const;

export const WIRE_ORDERS = { ASC: 'asc', DESC: 'desc' } as const;

const numberOrBigint = (text: string): number | bigint => {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
};

/**
 * Parses a JSON body keeping 64-bit integers exact (TOOLCHAIN.md item 9). Throws SyntaxError.
 * The built-in parser goes first: it is several times faster than a lossless one, and an
 * integer it may have rounded (any at or beyond 2^53) shows as a number beyond the safe range,
 * which sends the text to the lossless parser. Real pages rarely carry such ids.
 */
export function parseWireJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!MAYBE_UNSAFE.test(text) || !hasUnsafeNumber(value)) return value;
  try {
    return lossless()(text, null, numberOrBigint);
  } catch (err) {
    // lossless-json recurses per nesting level: a deep body overflows the stack (RangeError).
    if (err instanceof SyntaxError) throw err;
    throw new SyntaxError('JSON nested too deeply to parse');
  }
}

/**
 * A number beyond 2^53 needs 16 digits in a row or an exponent. Text without either (most pages)
 * skips the walk below: the scan costs a hundredth of it on a 1000-job page.
 */
const MAYBE_UNSAFE = /\d{16}|\d[eE]/;

/** Whether any number in the value lies beyond +-(2^53 - 1); iterative, as bodies may nest deeply. */
function hasUnsafeNumber(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') {
      if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) return true;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push(value[i]);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) stack.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}
