/**
 * The upstream for the benchmark: answers GET /v1/bench/training-jobs with bodies serialized
 * once at start, so the stub costs next to nothing per request and the measured cost is the
 * system's; and POST /v2/bench/training-job-searches from the same jobs (newest first, each
 * answer serialized on its first ask and kept), for the v1-next-to-v2 part (upstreams.ts).
 * Prints its URL as one JSON line on stdout when listening.
 *
 * Data: the emulator's generateJobs(1000, 7), sorted as the upstream would (job_name asc), with
 * every id above 2^53 replaced by a 12-digit one: the floor's plain JSON.parse must be exact.
 * Pages filtered by `status`, or of other sizes (the status-group part, groups.ts), are built on
 * first ask and kept. GET /calls answers how many listing calls it has served.
 */
import { createServer } from 'node:http';
import { generateJobs, phaseOf, secondaryPhaseOf, uuidOf } from '../../src/emulator/index.ts';
import { PROJECT, type WireJob, type WirePage } from './shape.ts';

const TOTAL = 1000;
const SIZES = [10, 1000];

function safeIds(): (id: bigint) => number {
  const used = new Set<number>();
  return (id) => {
    // Ids already safe are kept; the others are folded into 12 digits, then made unique.
    let n = id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : Number(id % 900_000_000_000n) + 100_000_000_000;
    while (used.has(n)) n += 1;
    used.add(n);
    return n;
  };
}

function wireJobs(): WireJob[] {
  const jobIds = safeIds();
  const versionIds = safeIds();
  const jobs = generateJobs(TOTAL, 7).sort((a, b) =>
    a.jobName < b.jobName ? -1 : a.jobName > b.jobName ? 1 : a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
  return jobs.map((j) => ({
    job_id: jobIds(j.jobId),
    job_name: j.jobName,
    version_id: versionIds(j.versionId),
    status: j.status,
    create_time: j.createTime,
    duration: j.duration,
    job_desc: j.jobDesc,
    version_count: j.versionCount,
  }));
}

const jobs = wireJobs();
const bodies = new Map<string, Buffer>();
for (const size of SIZES) {
  const page: WirePage = { is_success: true, job_total_count: TOTAL, job_count_limit: 3, quotas: 5, jobs: jobs.slice(0, size) };
  bodies.set(String(size), Buffer.from(JSON.stringify(page)));
}
const PATH = `/v1/${PROJECT}/training-jobs`;
const notFound = Buffer.from(JSON.stringify({ error_code: 'ModelArts.0104', error_msg: 'not found' }));
const badRequest = Buffer.from(JSON.stringify({ is_success: false, error_code: 'ModelArts.0101', error_message: 'per_page must be 1 to 1000, page 1 or more' }));
const unauthorized = Buffer.from(JSON.stringify({ error_code: 'APIGW.0301', error_msg: 'missing token' }));

function send(res: import('node:http').ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/** A page of the jobs in one status (or all), any size: built once per distinct ask. */
const built = new Map<string, Buffer>();
function pageOf(status: string | null, perPage: number, page: number): Buffer | undefined {
  if (!(Number.isInteger(perPage) && perPage >= 1 && perPage <= 1000 && Number.isInteger(page) && page >= 1)) return undefined;
  const key = `${status}|${perPage}|${page}`;
  let body = built.get(key);
  if (body === undefined) {
    const matching = status === null ? jobs : jobs.filter((j) => String(j.status) === status);
    const wire: WirePage = { is_success: true, job_total_count: matching.length, job_count_limit: 3, quotas: 5, jobs: matching.slice((page - 1) * perPage, page * perPage) };
    built.set(key, (body = Buffer.from(JSON.stringify(wire))));
  }
  return body;
}

/** The same jobs as v2 items (UPSTREAM.md "v2"), newest first: its own order. */
const items = [...jobs]
  .sort((a, b) => b.create_time - a.create_time || a.job_id - b.job_id)
  .map((j) => ({
    kind: 'job',
    metadata: { id: uuidOf(BigInt(j.job_id)), name: j.job_name, description: j.job_desc ?? '', create_time: j.create_time, workspace_id: '0', user_name: 'bench' },
    status: { phase: phaseOf(j.status), secondary_phase: secondaryPhaseOf(j.status), duration: j.duration, start_time: 0, tasks: ['worker-0'] },
  }));
const V2_PATH = `/v2/${PROJECT}/training-job-searches`;
const searches = new Map<string, Buffer>();
/** A v2 answer for one body (offset read as a page index), built once per distinct body. */
function searchOf(text: string): Buffer | undefined {
  let body = searches.get(text);
  if (body !== undefined) return body;
  let ask: { offset?: number; limit?: number; order?: string; filters?: Array<{ key: string; value: string[] }> };
  try {
    ask = JSON.parse(text) as typeof ask;
  } catch {
    return undefined;
  }
  const { offset = 0, limit = 10, order = 'desc' } = ask;
  if (!(Number.isInteger(offset) && offset >= 0 && Number.isInteger(limit) && limit >= 1 && limit <= 50)) return undefined;
  const phases = ask.filters?.find((f) => f.key === 'phase')?.value;
  const matching = phases === undefined ? items : items.filter((i) => phases.includes(i.status.phase));
  const ordered = order === 'asc' ? [...matching].reverse() : matching;
  const page = ordered.slice(offset * limit, (offset + 1) * limit);
  const answer = { total: items.length, count: matching.length, limit, offset, sort_by: 'create_time', order, workspace_id: '0', items: page };
  searches.set(text, (body = Buffer.from(JSON.stringify(answer))));
  return body;
}

let calls = 0;
const server = createServer((req, res) => {
  const url = req.url ?? '';
  if (url === '/calls') return send(res, 200, Buffer.from(JSON.stringify({ calls })));
  if (req.method === 'POST' && url === V2_PATH) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!req.headers['x-auth-token']) return send(res, 401, unauthorized);
      calls++;
      const answer = searchOf(Buffer.concat(chunks).toString('utf8'));
      send(res, answer === undefined ? 400 : 200, answer ?? badRequest);
    });
    return;
  }
  const q = url.indexOf('?');
  if (req.method !== 'GET' || (q < 0 ? url : url.slice(0, q)) !== PATH) return send(res, 404, notFound);
  if (!req.headers['x-auth-token']) return send(res, 401, unauthorized);
  calls++;
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const status = params.get('status');
  const page = params.get('page') ?? '1';
  const body = status === null && page === '1' ? bodies.get(params.get('per_page') ?? '10') : undefined;
  const answer = body ?? pageOf(status, Number(params.get('per_page') ?? 10), Number(page));
  if (answer === undefined) return send(res, 400, badRequest);
  send(res, 200, answer);
});
// Long idle timeouts: a client reusing a socket the server just closed would see a reset.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, sizes: Object.fromEntries([...bodies].map(([k, b]) => [k, b.length])) })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
