/**
 * The systems under test, how to start each, and how to tell a correct answer: every system must
 * return exactly the response that shape.ts builds by hand from the stub's page (DESIGN.md's
 * contract), so a peer that differs is caught before it is measured.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BENCH_DIST, ROOT } from '../lib/paths.ts';
import { PROJECT, TOKEN, requestBody } from './shape.ts';

/** This bench's built scripts: the peers, the stub and the load generator run as plain JS. */
export const QUERY_DIST = join(BENCH_DIST, 'query');

export interface SystemDef {
  label: string;
  script: string;
  env: (port: number, upstream: string) => Record<string, string>;
  /** Asked with this Accept-Encoding (the load too); its answers must come so encoded. */
  acceptEncoding?: 'gzip' | 'br';
}

const peerEnv = (port: number, upstream: string) => ({ NODE_ENV: 'production', PORT: String(port), UPSTREAM_URL: upstream });

const gatewayEnv = (port: number, upstream: string) => ({
  NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', MODELARTS_ENDPOINT: upstream,
  MODELARTS_PROJECT_ID: PROJECT, MODELARTS_AUTH: 'passthrough', LOG_LEVEL: 'warn',
  // Explicitly off, whatever the shell exports: like every other system, one upstream call per request.
  CACHE_TTL_MS: '0',
});

const compressedEnv = (port: number, upstream: string) => ({ ...gatewayEnv(port, upstream), COMPRESSION: 'br,gzip', COMPRESSION_MIN_BYTES: '0' });

// BENCH_BASELINE: the root of another checkout, built (npm ci && npm run build), measured in the
// same run as "baseline", so that a change's cost is a ratio of one run, not of two.
const baseline = process.env['BENCH_BASELINE'];

/** The baseline's commit, so the table names what was measured rather than where it was built. */
function revisionOf(root: string): string {
  const sha = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim();
  return sha ? `${sha} (BENCH_BASELINE)` : 'BENCH_BASELINE';
}

export const SYSTEMS: Record<string, SystemDef> = {
  gateway: { label: 'gateway (built: fast path, yoga, Pothos)', script: join(ROOT, 'dist', 'src', 'main.js'), env: gatewayEnv },
  // The same gateway, asked by clients that accept a compressed answer: every answer compressed
  // (no threshold), so both page sizes show what compressing costs, and the default
  // COMPRESSION_MIN_BYTES can be judged by the perPage-10 row.
  'gateway-gzip': { label: 'gateway, Accept-Encoding: gzip (COMPRESSION_MIN_BYTES=0)', script: join(ROOT, 'dist', 'src', 'main.js'), env: compressedEnv, acceptEncoding: 'gzip' },
  'gateway-br': { label: 'gateway, Accept-Encoding: br (COMPRESSION_MIN_BYTES=0)', script: join(ROOT, 'dist', 'src', 'main.js'), env: compressedEnv, acceptEncoding: 'br' },
  ...(baseline ? { baseline: { label: `gateway at ${revisionOf(baseline)}`, script: join(baseline, 'dist', 'src', 'main.js'), env: gatewayEnv } } : {}),
  floor: { label: 'floor (node:http + undici, no GraphQL)', script: join(QUERY_DIST, 'floor.js'), env: peerEnv },
  apollo: { label: 'Apollo Server 5 + RESTDataSource', script: join(QUERY_DIST, 'apollo.js'), env: peerEnv },
  mercurius: { label: 'Mercurius (JIT) on Fastify', script: join(QUERY_DIST, 'mercurius.js'), env: peerEnv },
};

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  /** Content-Encoding of the answer, and its body's length as sent (encoded). */
  encoding: string | undefined;
  wireBytes: number;
}

/**
 * One POST of the bench query on a fresh connection (agent: false): a pooled socket the server
 * has since closed as idle would fail a POST, which no client retries. A compressed answer is
 * decoded, so that it is held to the same expected response.
 */
export function ask(url: string, perPage: number, acceptEncoding?: string): Promise<Answer> {
  const payload = requestBody(perPage);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-auth-token': TOKEN,
        ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        let decoded: Buffer;
        try {
          decoded = encoding === 'gzip' ? gunzipSync(wire) : encoding === 'br' ? brotliDecompressSync(wire) : wire;
        } catch (err) {
          reject(new Error(`a ${encoding} answer that does not decode: ${(err as Error).message}`));
          return;
        }
        const text = decoded.toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text, encoding, wireBytes: wire.length });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Where two JSON values first differ, as a short readable excerpt; undefined when equal. */
export function firstDifference(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(actual) && isObj(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    // Keys only the actual has (GraphQL "errors", say) first: they usually explain the rest.
    const keys = new Set([...Object.keys(actual).filter((k) => !(k in expected)), ...Object.keys(expected)]);
    for (const key of keys) {
      const diff = firstDifference(actual[key], expected[key], Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`);
      if (diff) return diff;
    }
  }
  const show = (v: unknown) => (JSON.stringify(v) ?? 'undefined').slice(0, 300);
  return `at ${path}:\n    got      ${show(actual)}\n    expected ${show(expected)}`;
}

/** Polls until the system answers `expected`; resolves ms since `since`. */
export async function firstCorrect(
  url: string, perPage: number, expected: unknown, since: number, alive: () => boolean, timeoutMs = 30_000, acceptEncoding?: string,
): Promise<number> {
  let last = 'no answer';
  let wrong = 0;
  while (performance.now() - since < timeoutMs) {
    if (!alive()) throw new Error('the server exited while starting');
    try {
      const { body, text, status } = await ask(url, perPage, acceptEncoding);
      const diff = firstDifference(body, expected);
      if (!diff) return performance.now() - since;
      last = `HTTP ${status}, ${body === undefined ? `not JSON: ${text.slice(0, 200)}` : diff}`;
      // A server that answers, and answers wrong, will not come right by waiting.
      if (++wrong >= 20) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no correct answer (perPage ${perPage}); last: ${last}`);
}
