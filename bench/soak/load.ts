/**
 * The query side of npm run soak: `connections` keep-alive clients (one undici pool) sending the
 * seeded mix of bench:fleet (lib/mix.ts: 20 credentials, hot and cold arguments) back to back,
 * as fast as the gateway answers. A share of requests is abandoned by its client: half at a random
 * moment after sending (the gateway sees the socket close while it works), half as soon as the
 * headers arrive, before the body is read (it sees it close while it writes).
 */
import { Pool } from 'undici';
import { requestAt, type Mix } from '../lib/mix.ts';
import { Tally, judge } from './answers.ts';

export interface LoadCounts {
  /** Answered with a page. */
  pages: number;
  /** Answered with an error an injected fault explains. */
  faults: number;
  /** Abandoned by the client before the answer was read (expected, not an error). */
  aborted: number;
  /** Bytes of the answers read. */
  bytes: number;
}

export interface Load {
  counts: LoadCounts;
  /** Expected outcomes by kind: answered faults by code, aborts by moment. */
  expected: Tally;
  /** Stops sending; resolves once every request in flight has ended and the pool is closed. */
  stop(): Promise<void>;
}

// undici's own timeouts only catch a gateway that never answers: its deadline is 10 s + 1 s.
const NO_ANSWER_MS = 30_000;
const SEED = 20_261_202;

export function startLoad(url: string, connections: number, mix: Mix, abortShare: number, unexpected: Tally): Load {
  const pool = new Pool(url, { connections, pipelining: 1, headersTimeout: NO_ANSWER_MS, bodyTimeout: NO_ANSWER_MS });
  const counts: LoadCounts = { pages: 0, faults: 0, aborted: 0, bytes: 0 };
  const expected = new Tally();
  // How long answers of each page size take now, so a mid-request abort lands while the gateway works.
  const latency = new Map<number, number>([[10, 20], [1000, 300]]);
  let running = true;
  let next = 0;

  async function one(): Promise<void> {
    const request = requestAt(mix, SEED, next++);
    const perPage = request.args.perPage;
    const roll = Math.random();
    const abort = roll < abortShare ? new AbortController() : undefined;
    const early = roll < abortShare / 2; // else: once the headers are in
    const timer = abort && early ? setTimeout(() => abort.abort(), Math.random() * (latency.get(perPage) ?? 50)) : undefined;
    const t0 = performance.now();
    try {
      const res = await pool.request({
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': request.token },
        body: request.body,
        signal: abort?.signal,
      });
      if (abort && !early) abort.abort();
      const text = await res.body.text();
      clearTimeout(timer);
      latency.set(perPage, 0.9 * (latency.get(perPage) ?? 0) + 0.1 * (performance.now() - t0));
      counts.bytes += text.length;
      if (res.statusCode !== 200) return unexpected.add(`HTTP ${res.statusCode}`, text);
      const verdict = judge(text, perPage);
      if (verdict.kind === 'page') counts.pages++;
      else if (verdict.kind === 'fault') {
        counts.faults++;
        expected.add(`query answered ${verdict.code}`);
      } else unexpected.add(`query: ${verdict.what}`, text);
    } catch (err) {
      clearTimeout(timer);
      if (abort?.signal.aborted) {
        counts.aborted++;
        expected.add(early ? 'query abandoned mid-request' : 'query abandoned before its body was read');
      } else {
        const e = err as Error & { code?: string };
        unexpected.add(`query: no answer (${e.code ?? e.name})`, e.message);
      }
    }
  }

  async function worker(): Promise<void> {
    while (running) await one();
  }

  const workers = Array.from({ length: connections }, worker);
  return {
    counts,
    expected,
    async stop() {
      running = false;
      await Promise.all(workers);
      await pool.close();
    },
  };
}
