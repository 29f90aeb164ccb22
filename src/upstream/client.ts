/**
 * The connector to GET /v1/{project_id}/training-jobs on undici: one keep-alive pool shared
 * by every request, one deadline per call covering connect, headers and body, and every
 * outcome turned into a page or a GatewayError (classify.ts).
 */
import { Pool } from 'undici';
import type { TrainingJobPage, TrainingJobsQuery } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import { classifyResponse, timeoutError, tooLargeError, unavailableError } from './classify.ts';
import { MalformedBodyError, toTrainingJobPage } from './mapping.ts';
import { buildQueryString } from './query.ts';
import { parseWireJson } from './wire.ts';

export interface UpstreamClientOptions {
  /** Base URL, e.g. https://modelarts.cn-north-4.myhuaweicloud.com; may carry a path prefix. */
  endpoint: string;
  projectId: string;
  /** Deadline of one call, connect to last body byte. */
  timeoutMs: number;
  /** Largest body read, default 16 MiB (a 1000-job page is well under 1 MiB). */
  maxBodyBytes?: number;
  /** Keep-alive connections to the upstream, default 64. */
  connections?: number;
}

export interface UpstreamCall {
  /** The token sent as X-Auth-Token. */
  token: string;
  requestId: string;
}

export interface UpstreamClient {
  listTrainingJobs(query: TrainingJobsQuery, call: UpstreamCall): Promise<TrainingJobPage>;
  close(): Promise<void>;
}

const TRANSPORT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const url = new URL(options.endpoint);
  const basePath = url.pathname.replace(/\/+$/, '');
  const path = `${basePath}/v1/${encodeURIComponent(options.projectId)}/training-jobs`;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    // Our own deadline governs; these only stop undici from giving up first.
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: options.timeoutMs,
  });

  async function listTrainingJobs(query: TrainingJobsQuery, call: UpstreamCall): Promise<TrainingJobPage> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    try {
      const res = await pool.request({
        method: 'GET',
        path: `${path}?${buildQueryString(query)}`,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-auth-token': call.token,
          'x-request-id': call.requestId,
        },
        signal: deadline.signal,
      });
      const status = res.statusCode;
      const headerRequestId = headerValue(res.headers['x-request-id']);
      const text = await readText(res.body, maxBodyBytes);
      if (text === undefined) throw tooLargeError(status, headerRequestId);

      let body: unknown;
      try {
        body = parseWireJson(text);
      } catch {
        body = undefined;
      }
      if (status < 200 || status > 299 || body === undefined) {
        throw classifyResponse(status, body, headerRequestId);
      }
      try {
        return toTrainingJobPage(body, query);
      } catch (err) {
        if (!(err instanceof MalformedBodyError)) throw err;
        const error = classifyResponse(status, body, headerRequestId);
        error.cause = err;
        throw error;
      }
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (deadline.signal.aborted) throw timeoutError();
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && TRANSPORT_CODES.has(code)) {
        const error = unavailableError();
        error.cause = err;
        throw error;
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  return { listTrainingJobs, close: () => pool.close() };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The body as UTF-8 text, or undefined (and the stream destroyed) past maxBytes. */
async function readText(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
