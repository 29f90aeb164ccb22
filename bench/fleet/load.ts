/**
 * The load generator of npm run bench:fleet, as its own process so the runner can pin it, and a
 * lasting one, so that its code stays compiled from one run to the next (a fresh node spends its
 * first seconds in the interpreter, which on a shared core would cost the gateway its clients).
 *
 * Reads runs from stdin, one JSON LoadArgs per line, and answers each with one JSON line, a
 * LoadSummary. A run sends the seeded mix (lib/mix.ts) to one or more gateways, request i to
 * gateway i mod n (a round-robin load balancer), `connections` requests in flight at once, until
 * `count` requests or `seconds` are done; or, with `sweep`, every hot page of every caller once.
 * startLoad() runs it from the runner.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { hotSweep, requestAt, type Mix, type MixRequest } from '../lib/mix.ts';
import { startNode, type Child } from '../lib/proc.ts';

export interface LoadArgs {
  urls: string[];
  connections: number;
  mix: Mix;
  seed: number;
  /** Stop after this many requests, or after this many seconds (whichever is given). */
  count?: number;
  seconds?: number;
  /** Instead of the mix: each caller's hot pages once (so that every gateway starts a round with them fresh). */
  sweep?: boolean;
}

export interface LoadSummary {
  /** Answered (a status and a whole body), right or wrong. */
  requests: number;
  ok: number;
  failed: number;
  /** A few failures, as status and the start of the body. */
  failures: string[];
  /** Response body bytes of the right answers. */
  bytes: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** This load generator's CPU time (user + system) during the run, ms. */
  cpuMs: number;
}

async function run(args: LoadArgs): Promise<LoadSummary> {
  const { urls, connections, mix, seed, seconds } = args;
  const swept = args.sweep ? hotSweep(mix) : undefined;
  const count = swept?.length ?? args.count;
  const at = (i: number): MixRequest => swept?.[i] ?? requestAt(mix, seed, i);
  const pools = urls.map((url) => new Pool(url, { connections: Math.max(1, Math.ceil(connections / urls.length)), pipelining: 1 }));
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = seconds === undefined ? Infinity : started + seconds * 1000;

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if ((count !== undefined && i >= count) || performance.now() >= deadline) return;
      const request = at(i);
      const t0 = performance.now();
      let status = 0;
      let text = '';
      try {
        const res = await (pools[i % pools.length] as Pool).request({
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': request.token },
          body: request.body,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        text = `no answer: ${(err as Error).message}`;
      }
      latencies.push(performance.now() - t0);
      // A success is exactly a data object for trainingJobs, with no errors beside it.
      if (status === 200 && text.startsWith('{"data":{"trainingJobs":{') && !text.includes('"errors":')) {
        ok++;
        bytes += Buffer.byteLength(text);
      } else {
        failed++;
        if (failures.length < 3) failures.push(`HTTP ${status}: ${text.slice(0, 200)}`);
      }
    }
  }

  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(pools.map((p) => p.close()));
  latencies.sort((a, b) => a - b);
  const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))] ?? NaN;
  return {
    requests: ok + failed, ok, failed, failures, bytes, seconds: elapsed, p50Ms: q(0.5), p99Ms: q(0.99), cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The load generator, started on `core`: run() sends one run and resolves its summary; runs go one at a time. */
export function startLoad(core: number): { child: Child; run(args: LoadArgs): Promise<LoadSummary> } {
  const child = startNode('load', core, fileURLToPath(import.meta.url), [], {}, true);
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.proc.stdout! }).on('line', (line) => waiting.shift()?.(line));
  let queue = Promise.resolve();
  return {
    child,
    run(args) {
      const result = queue.then(() => new Promise<LoadSummary>((resolve, reject) => {
        const gone = () => reject(new Error(`the load generator exited\n${child.tail.join('\n')}`));
        child.proc.once('exit', gone);
        waiting.push((line) => {
          child.proc.off('exit', gone);
          resolve(JSON.parse(line) as LoadSummary);
        });
        child.proc.stdin!.write(`${JSON.stringify(args)}\n`);
      }));
      queue = result.then(() => undefined, () => undefined);
      return result;
    },
  };
}

// Run as a script (not imported): serve runs from stdin until it closes.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim()) process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as LoadArgs))}\n`);
  }
}
