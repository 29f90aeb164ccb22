/**
 * The top of docs/benchmarks.md, npm run bench's part: the command, the machine, the settings, the
 * tables and how they were measured, so a reader can judge the numbers and repeat the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/paths.ts';
import { machine, revision } from '../lib/provenance.ts';

export interface Settings {
  durationS: number;
  warmupS: number;
  primeS: number;
  rounds: number;
  connections: number;
  systems: string[];
  sizes: number[];
  pinned: boolean;
}

function versions(): string {
  const pick = (file: string, names: string[]) => {
    const path = join(ROOT, file);
    // Written after the rounds: a missing package.json lists no versions rather than losing the run's figures.
    const pkg = JSON.parse(existsSync(path) ? readFileSync(path, 'utf8') : '{}') as Record<string, Record<string, string> | undefined>;
    const all = { ...pkg.dependencies, ...pkg.devDependencies };
    return names.filter((n) => all[n]).map((n) => `${n} ${all[n]}`).join(', ');
  };
  return `gateway: ${pick('package.json', ['graphql-yoga', '@pothos/core', 'graphql', 'undici'])}; ` +
    `peers: ${pick('bench/package.json', ['@apollo/server', '@apollo/datasource-rest', 'mercurius', 'fastify', 'graphql', 'autocannon'])}`;
}

// Read when the runner starts, right after the build: a commit made during the run is not the one measured.
const REVISION = revision();

/** The command that reproduces this run: npm run bench with the knobs that were set. */
export function command(): string {
  const knobs = ['BENCH_DURATION', 'BENCH_ROUNDS', 'BENCH_CONNECTIONS', 'BENCH_SYSTEMS', 'BENCH_SIZES']
    .filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
  return `${knobs}npm run bench`;
}

export function document(s: Settings, tables: string, notes: string[], totalS: number): string {
  const pin = s.pinned
    ? 'Each server ran alone on core 0 (`taskset -c 0`); the stub upstream, autocannon and this runner on core 1.'
    : '**No pinning**: `taskset` was missing, so servers, stub and load generator shared both cores.';
  return `# Benchmarks

How fast the gateway answers one realistic query, next to the fastest any gateway could be here (the
floor) and two well-known ways to put GraphQL over REST. Produced by \`npm run bench\` (bench/query/), which
prints the same tables; this file holds one run. Knobs: \`BENCH_DURATION\` (s per round, 10),
\`BENCH_ROUNDS\` (3), \`BENCH_CONNECTIONS\` (32), \`BENCH_SYSTEMS\` (gateway,gateway-gzip,gateway-br,floor,apollo,mercurius),
\`BENCH_SIZES\` (10,1000), \`BENCH_OUT\` (this file; \`-\` writes none, for trial runs).

- Command: \`${command()}\` (from the repository root, after \`npm ci\`)
- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the runner took ${Math.round(totalS)} s (after install and build)
- Gateway revision: ${REVISION}
- Machine: ${machine()}
- Versions: ${versions()}
- Settings: ${s.connections} connections, ${s.rounds} interleaved rounds of ${s.durationS} s per system and page size,
  each after ${s.warmupS} s of discarded warm-up (and ${s.primeS} s of priming once per system and page size);
  systems: ${s.systems.join(', ')}

The query (POST application/json, \`x-auth-token: bench\`), with \`perPage\` 10 or 1000:

\`\`\`graphql
query Jobs($perPage: Int!) { trainingJobs(perPage: $perPage) { totalCount
  pageInfo { page perPage totalPages hasNextPage hasPreviousPage } quota { remainingJobs maxRunningJobs }
  jobs { id name description status statusCode versionId versionCount createdAt duration } } }
\`\`\`

${tables}
Columns: req/s, p50 and p99 (autocannon's latencies) are medians over rounds; CPU ms/req is the server
process's user + system time (\`/proc/<pid>/stat\`, all threads) during a measured run divided by the
requests it completed, median over rounds; bytes/answer is what the load generator received per answer,
headers included, median over rounds; peak RSS is \`VmHWM\` after the rounds; start-up is from
spawning \`node\` to the first correct answer (median of the starts in this run); "÷ floor" divides by
the floor of the same run; core busy shares come from \`/proc/stat\` during the runs (steal excluded).

## Method

- ${pin}
- Rounds are interleaved (A B C D, A B C D, ...), so drift of the machine over time spreads over all systems
  alike; each system is started once per page size, primed, and kept running across its rounds. The
  machine is a VM: the min–max spread of req/s shows how far one round can stray, and two full runs
  here minutes apart moved the ratios to the floor by up to 0.15: compare systems within one run.
- Before anything is measured, every system's answer for both page sizes must deep-equal the response
  built by hand from the stub's page (bench/query/shape.ts, DESIGN.md's contract); the gateway is held to it too.
  Under load, req/s counts 2xx answers only; errors, timeouts (60 s) and non-2xx are reported below the
  tables, and a run whose answers average shorter than the correct one (GraphQL errors) aborts the bench.
- \`gateway-gzip\` and \`gateway-br\` are the same build as \`gateway\`, asked with \`Accept-Encoding: gzip\` or \`br\`
  and run with \`COMPRESSION_MIN_BYTES=0\`, so that the perPage-10 answer (3 KB, below the default threshold) is
  compressed too and its cost shows; the correctness check decodes each answer, deep-compares it, and insists
  that it came so encoded. \`gateway\` and the peers are asked without Accept-Encoding.
- The upstream is a stub (bench/query/stub.ts): pre-serialized pages of 10 and 1000 jobs over keep-alive, from the
  emulator's \`generateJobs(1000, 7)\`, sorted by name. Every id above 2^53 in that data set was replaced by a
  12-digit one, so all ids are safe integers: the floor's plain \`JSON.parse\` is exact, and the gateway never
  needs its lossless parser (kept for ids beyond 2^53, which real pages may carry).
- The floor (bench/query/floor.ts) is node:http + an undici pool: it forwards, \`JSON.parse\`s, maps by hand and
  \`JSON.stringify\`s, with no GraphQL library, no document parsing and no validation. It cannot be beaten
  by a gateway that calls the upstream for every request; a gateway that caches upstream answers can.
- Apollo Server 5 (standalone server, a RESTDataSource per request, as its documentation shows) and
  Mercurius (\`jit: 1\`, undici pool) run the same SDL (schema/schema.graphql) with the same schema-first
  resolvers (bench/query/resolvers.ts) and the project's own DateTime/Duration formatting. All run with
  NODE_ENV=production; peers run as compiled JavaScript (\`tsc -p bench\`), like the built gateway
  (\`dist/src/main.js\`, with its page cache off: \`CACHE_TTL_MS=0\`).
${notes.length ? `\n## Notes on this run\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}
