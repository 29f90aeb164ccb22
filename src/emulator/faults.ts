// Programmable faults. A fault is checked when it is set, not when a request meets it: a typo
// in a test should fail at setFault, not surface as a confusing socket error later.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { ErrorBodyShape } from './wire.ts';

export interface Fault {
  /** HTTP status to answer (default 200 when only `body` is given; required with `error`). */
  status?: number;
  /** A string is sent verbatim; an object is sent as JSON. */
  body?: string | object;
  /** Builds one of the three documented error bodies; `status` must be given. Message default: 'Injected fault'. */
  error?: { shape: ErrorBodyShape; code: string; message?: string };
  /** Extra response headers, applied to whatever answer goes out (they override the defaults). */
  headers?: Record<string, string>;
  /** Wait this long before sending headers, then answer normally or with the fault. */
  delayMs?: number;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /** Send headers and the first half of the (normal or given) body, then destroy the socket. */
  truncate?: boolean;
  /**
   * Send headers at once (after `delayMs`), then the body in `chunkBytes` pieces, the first at
   * once and one more every `intervalMs`: a slow body. With `truncate`, only the first half is
   * trickled before the socket is destroyed.
   */
  trickle?: Trickle;
  /** Apply to the next `times` requests only (default: until cleared). */
  times?: number;
  /**
   * Apply only to requests whose query carries every one of these parameters with these values,
   * e.g. `{ status: '11' }` for one branch of a status group; others are answered normally and
   * do not count against `times`. Default: every request.
   */
  when?: Record<string, string>;
}

export interface Trickle {
  /** positive integer */
  chunkBytes: number;
  /** positive integer */
  intervalMs: number;
}

/** A checked fault, in the form the server acts on. */
export interface ArmedFault {
  /** null = answer normally (possibly delayed, with extra headers, trickled or truncated). */
  status: number | null;
  /** Serialized `body`, or null. */
  body: string | null;
  error: { shape: ErrorBodyShape; code: string; message: string } | null;
  headers: Record<string, string>;
  delayMs: number;
  reset: boolean;
  truncate: boolean;
  trickle: Trickle | null;
  when: ReadonlyArray<readonly [string, string]>;
}

const SHAPES: readonly ErrorBodyShape[] = ['v1', 'modelarts', 'apigw', 'v2'];

/** Throws TypeError or RangeError describing the first problem. */
export function armFault(fault: Fault): { armed: ArmedFault; times: number } {
  const { status, body, error, delayMs = 0, times = Infinity } = fault;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw new RangeError(`fault.status must be an integer in 100..599, got ${status}`);
  }
  if (error !== undefined && status === undefined) throw new TypeError('fault.error needs fault.status');
  if (error !== undefined && body !== undefined) throw new TypeError('fault.error and fault.body exclude each other');
  if (error !== undefined && !SHAPES.includes(error.shape)) throw new TypeError(`unknown error shape ${error.shape}`);
  if (fault.reset === true && fault.truncate === true) throw new TypeError('fault.reset and fault.truncate exclude each other');
  // reset sends no bytes at all, so there would be nothing to trickle.
  if (fault.reset === true && fault.trickle !== undefined) throw new TypeError('fault.reset and fault.trickle exclude each other');
  const trickle = fault.trickle === undefined ? null : checkTrickle(fault.trickle);
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new RangeError(`fault.delayMs must be >= 0, got ${delayMs}`);
  if (times !== Infinity && !(Number.isInteger(times) && times >= 1)) {
    throw new RangeError(`fault.times must be a positive integer, got ${times}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fault.headers ?? {})) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    headers[name.toLowerCase()] = value;
  }
  const armed: ArmedFault = {
    status: status ?? (body !== undefined ? 200 : null),
    // JSON.stringify throws here on a bigint or a cycle, which is the point of serializing early.
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    error: error === undefined ? null : { ...error, message: error.message ?? 'Injected fault' },
    headers,
    delayMs,
    reset: fault.reset === true,
    truncate: fault.truncate === true,
    trickle,
    when: Object.entries(fault.when ?? {}).map(([name, value]) => [String(name), String(value)] as const),
  };
  return { armed, times };
}

function checkTrickle(trickle: Trickle): Trickle {
  if (typeof trickle !== 'object' || trickle === null) throw new TypeError('fault.trickle must be { chunkBytes, intervalMs }');
  const { chunkBytes, intervalMs } = trickle;
  for (const [name, value] of [['chunkBytes', chunkBytes], ['intervalMs', intervalMs]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`fault.trickle.${name} must be a positive integer, got ${value}`);
  }
  // A copy, so that a caller changing its object later cannot alter an armed fault.
  return { chunkBytes, intervalMs };
}

export interface FaultSlot {
  /** Several faults: each request gets the first whose `when` it matches. */
  set(fault: Fault | readonly Fault[] | null): void;
  /** The fault for the request that just arrived (its decoded query pairs), counting it against `times`. */
  take(params: ReadonlyArray<readonly [string, string]>): ArmedFault | null;
}

export function createFaultSlot(): FaultSlot {
  let current: Array<{ armed: ArmedFault; times: number }> = [];
  return {
    set(fault) {
      // Armed all at once, so that one bad fault in a list changes nothing.
      current = fault === null ? [] : (Array.isArray(fault) ? fault : [fault as Fault]).map(armFault);
    },
    take(params) {
      const i = current.findIndex(({ armed }) => armed.when.every(([name, value]) => params.some(([n, v]) => n === name && v === value)));
      if (i < 0) return null;
      const slot = current[i]!;
      if (--slot.times <= 0) current.splice(i, 1);
      return slot.armed;
    },
  };
}
