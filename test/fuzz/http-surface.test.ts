/**
 * Fuzzing the HTTP surface: a few thousand random, mutated, absurd and malformed requests, all
 * generated from one fixed seed, sent to a gateway and its emulator on real sockets. Every answer
 * must carry a documented status, be well-formed, and show no stack trace, upstream address or
 * credential; the gateway must keep answering a normal query throughout, and must not crash.
 *
 * Knobs (npm run fuzz sets them; with none set this is the fixed run `npm test` makes):
 * FUZZ_RUNS (requests, default 2423: one block), FUZZ_SEED (decimal or 0x hex, 32 bits), FUZZ_API
 * (v1 or v2, default v1: the upstream the gateway calls),
 * FUZZ_TARGET (stack: the gateway in this process, as startStack wires it; process: the built
 * gateway, dist/src/main.js, as its own process), FUZZ_REPORT (a JSON report file), FUZZ_OUT (the
 * file to record a passing run in, e.g. docs/benchmarks.md; unset or `-` records none), FUZZ_COMMAND
 * (the command to record). FUZZ_VERBOSE=1 also prints the slowest requests and the statuses of
 * every sub-case.
 *
 * The run itself is suite.ts; what it sends (plan.ts and the generators it draws on), how it sends
 * (sender.ts), what it checks (checks.ts), what it fuzzes (target.ts) and what it reports
 * (summary.ts) are the other files of this folder.
 */
import { fuzzSettings } from './plan.ts';
import { fuzzSuite } from './suite.ts';

fuzzSuite(fuzzSettings(process.env));
