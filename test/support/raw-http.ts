/**
 * One HTTP request read as the wire carried it (node:http, which decodes nothing), for the tests
 * of what the gateway sends: Content-Encoding, Content-Length, entity tags.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent. */
  wire: Buffer;
  /** The body decoded by its Content-Encoding. */
  text: string;
}

/** One request on a fresh connection, the body read as it came. */
export function send(origin: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        // HEAD and 304: the headers of the encoded answer, no bytes to decode.
        const decoded = wire.length === 0 ? wire : encoding === 'br' ? brotliDecompressSync(wire) : encoding === 'gzip' ? gunzipSync(wire) : wire;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, text: decoded.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The Vary fields of an answer, in lower case. */
export const varies = (raw: Pick<Raw, 'headers'>): string[] =>
  String(raw.headers['vary'] ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
