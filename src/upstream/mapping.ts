/**
 * The checks both upstreams' wire -> domain mappings are built from (DESIGN.md "Precise
 * rules"): a job lacking a documented field, or carrying one of the wrong type, makes the whole
 * page malformed (no silent defaults); unknown extra fields are ignored. Also the error body's
 * fields, which both upstreams name alike.
 */
import type { WireError } from './wire.ts';

/** The body is not the documented shape. `detail` is for the server log only. */
export class MalformedBodyError extends Error {
  constructor(readonly detail: string) {
    super(`malformed upstream body: ${detail}`);
    this.name = 'MalformedBodyError';
  }
}

export const INT32_MAX = 2 ** 31 - 1;
export const LONG_LIMIT = 2n ** 63n;
// 9999-12-31T23:59:59.999Z: beyond it RFC 3339 has no way to write the year.
export const MAX_EPOCH_MS = 253402300799999;

export type Record_ = Record<string, unknown>;

export const isObject = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);

export function fail(where: string, what: string): never {
  throw new MalformedBodyError(`${where} ${what}`);
}

/** A GraphQL Int: 32-bit signed. */
export function int32(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT32_MAX) {
    fail(where, `must be an integer between ${min} and ${INT32_MAX}`);
  }
  return v;
}

/** A non-negative Long kept as a number (ms values stay far below 2^53 when valid). */
export function safeLong(v: unknown, where: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
    fail(where, `must be an integer between 0 and ${max}`);
  }
  return v;
}

/** A 64-bit id: exact, non-negative, below 2^63, as a decimal string. */
export function id(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'bigint' && v >= 0n && v < LONG_LIMIT) return v.toString();
  return fail(where, 'must be an integer between 0 and 2^63-1');
}

export function string(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(where, 'must be a string');
  return v;
}

export function optionalInt(v: unknown, where: string): number | null {
  return v === undefined || v === null ? null : int32(v, where, -INT32_MAX);
}

/** The error fields of any of the three error shapes, or nothing when the body has none. */
export function toWireError(body: unknown): WireError {
  if (!isObject(body)) return {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    is_success: typeof body.is_success === 'boolean' ? body.is_success : undefined,
    error_code: text(body.error_code),
    request_id: text(body.request_id),
  };
}
