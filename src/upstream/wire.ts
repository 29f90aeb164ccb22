/**
 * What both upstreams share on the wire: the error body's keys (UPSTREAM.md "Errors" and "v2")
 * and the JSON parser that reads every body. Each upstream's own shapes are in its folder.
 */
import { createRequire } from 'node:module';
import type { parse as ParseLossless } from 'lossless-json';

// Loaded on first need: most pages never carry an id beyond 2^53, and start-up is shorter without it.
let parseLossless: typeof ParseLossless | undefined;
const lossless = () =>
  (parseLossless ??= (createRequire(import.meta.url)('lossless-json') as { parse: typeof ParseLossless }).parse);

/** A Long as parsed: a number when it fits 2^53 exactly, a bigint when it does not. */
export type WireLong = number | bigint;

/** The three error body shapes (UPSTREAM.md "Errors"); every key optional. */
export interface WireError {
  is_success?: boolean;
  error_code?: string;
  error_message?: string;
  error_msg?: string;
  request_id?: string;
}

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
