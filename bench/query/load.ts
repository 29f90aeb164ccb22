/**
 * One load run with autocannon, as its own process so the runner can pin it to the load core.
 * argv[2]: JSON { url, connections, seconds, body, headers? }. Prints one JSON line with the summary.
 */
import autocannon from 'autocannon';
import { TOKEN } from './shape.ts';

interface LoadArgs {
  url: string;
  connections: number;
  seconds: number;
  body: string;
  /** Sent with every request besides the defaults (Accept-Encoding, for the compressed systems). */
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytes: number;
  p50: number;
  p99: number;
}

const args = JSON.parse(process.argv[2] ?? '') as LoadArgs;
const result = await autocannon({
  url: args.url,
  connections: args.connections,
  duration: args.seconds,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN, ...args.headers },
  body: args.body,
  // Slow answers are measured, not dropped: autocannon's default 10 s would count Apollo's tail
  // at 1000 jobs as failures.
  timeout: 60,
});
const summary: LoadResult = {
  requests: result.requests.total,
  seconds: result.duration,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  bytes: result.throughput.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
