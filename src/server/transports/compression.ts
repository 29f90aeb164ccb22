/**
 * Compressed answers for clients that accept them (RFC 9110 §12.5.3 Accept-Encoding): a whole
 * body at or above a size threshold goes out as br or gzip, with `Vary: Accept-Encoding` on
 * every answer that could have been compressed, so a cache never hands a compressed copy to a
 * client that did not ask for one. Used by the fast path (fast-path.ts), yoga (useCompression),
 * GraphiQL (graphiql.ts, pre-compressed) and /metrics; COMPRESSION=off turns all of it off.
 *
 * Streams are never compressed: text/event-stream and multipart answers are written event by
 * event, and a compressor would hold each event back until its buffer fills (or need a flush
 * per event, which costs most of the saving), while proxies that see a compressed stream may
 * buffer it whole.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import { brotliCompressSync, constants, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

export type Encoding = 'br' | 'gzip';
type Header = OutgoingHttpHeader | null | undefined;

export interface CompressionOptions {
  /**
   * The codings offered, preferred first when the client weighs them alike; empty: compression
   * off. Default br, gzip (COMPRESSION).
   */
  encodings: readonly Encoding[];
  /** Bodies smaller than this go out as they are. Default 4096 (COMPRESSION_MIN_BYTES). */
  minBytes: number;
}

// br first: cheaper than gzip at both of the bench's sizes, and no larger. 4096: compressing
// costs about 0.1 ms however small the answer (a third of a perPage-10 request), and an answer
// under 4 KB fits TCP's first round trip compressed or not.
export const DEFAULT_COMPRESSION: CompressionOptions = { encodings: ['br', 'gzip'], minBytes: 4096 };

// Levels for answers built per request, from the bench (docs/performance.md "Compression"): brotli 1 and
// gzip 3 take the 253 KB perPage-1000 answer to 46-47 KB; brotli 4 and gzip 6 save another 4 KB
// for about three times the CPU. Synchronous: through the thread pool a small answer cost 0.1 ms
// more (the hand-off), and a CPU quota counts every thread alike.
const BROTLI: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } };
const GZIP: ZlibOptions = { level: 3 };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The weights an Accept-Encoding header gives each coding (lower case, x-gzip read as gzip), or
 * undefined when it is malformed: then nothing but identity is sent, the one coding every client
 * reads.
 */
export function parseAcceptEncoding(header: string): Map<string, number> | undefined {
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [coding = '', ...params] = element.split(';').map((part) => part.trim());
    // Empty list elements are allowed (RFC 9110 §5.6.1): "gzip,,br".
    if (coding === '' && params.length === 0) continue;
    if (!TOKEN.test(coding) || params.length > 1) return undefined;
    let q = 1;
    if (params.length === 1) {
      const [name, value = ''] = (params[0] as string).split('=', 2);
      if (name?.toLowerCase() !== 'q' || !QVALUE.test(value)) return undefined;
      q = Number(value);
    }
    const key = coding.toLowerCase() === 'x-gzip' ? 'gzip' : coding.toLowerCase();
    // A coding listed twice: its first weight counts.
    if (!weights.has(key)) weights.set(key, q);
  }
  return weights;
}

/**
 * The coding to send for this Accept-Encoding among those offered (in preference order), or
 * undefined for identity: no header, an empty or malformed one, every offered coding refused
 * (q=0, or absent without `*`), or identity weighed above them. Identity is also what goes out
 * when the client refuses it too: a 406 would help nobody.
 */
export function negotiate(header: string | undefined, offered: readonly Encoding[]): Encoding | undefined {
  if (header === undefined || offered.length === 0) return undefined;
  const weights = parseAcceptEncoding(header);
  if (weights === undefined) return undefined;
  const any = weights.get('*');
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const q = weights.get(coding) ?? any ?? 0;
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  const identity = weights.get('identity');
  return identity !== undefined && identity > bestQ ? undefined : best;
}

/** A Vary value holding every field of `values` once (case-insensitively), in order. */
export function mergeVary(...values: Header[]): string {
  // The usual case, on every answer of the fast path: nothing set before.
  if (values.length === 3 && values[0] === undefined && values[1] === undefined && values[2] === 'Accept-Encoding') return 'Accept-Encoding';
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined || value === null) continue;
    for (const field of (Array.isArray(value) ? value.join(',') : String(value)).split(',')) {
      const name = field.trim();
      if (name !== '' && !seen.has(name.toLowerCase())) {
        seen.add(name.toLowerCase());
        fields.push(name);
      }
    }
  }
  return seen.has('*') ? '*' : fields.join(', ');
}

/** JSON and text answers; not event streams (see above) and not multipart. */
export function isCompressible(contentType: Header): boolean {
  // The gateway writes a handful of types: each is judged once.
  const key = String(contentType ?? '');
  let known = compressible.get(key);
  if (known === undefined) {
    const type = key.toLowerCase();
    known = /^(?:application\/(?:[\w.+-]*\+)?json|text\/)/.test(type) && !type.startsWith('text/event-stream');
    if (compressible.size < 64) compressible.set(key, known);
  }
  return known;
}
const compressible = new Map<string, boolean>();

export interface Compressor {
  /**
   * Writes a whole answer: compressed when it is compressible, at least minBytes long, not
   * already encoded and the client accepts a coding offered; Content-Length is the length sent,
   * and Vary gains Accept-Encoding (merged with any Vary already set on `res`, CORS's Origin).
   * HEAD gets the same headers and no body.
   */
  send(req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void;
}

interface Encoded {
  body: string | Buffer;
  /** Of the body as sent. */
  length: number;
  encoding: Encoding | undefined;
  /** Undefined when compression is off or the answer is not compressible: it then varies on nothing new. */
  vary: string | undefined;
}

/** The bytes to send for an answer not yet encoded, and what its headers must say of them. */
function encode(
  options: CompressionOptions, acceptEncoding: string | undefined, type: Header, vary: Header[], body: string | Buffer,
): Encoded {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (options.encodings.length === 0 || !isCompressible(type)) {
    return { body, length, encoding: undefined, vary: undefined };
  }
  const varies = mergeVary(...vary, 'Accept-Encoding');
  // The size first: most answers are small, and then the header is not even read.
  const encoding = length > 0 && length >= options.minBytes ? negotiate(acceptEncoding, options.encodings) : undefined;
  if (encoding === undefined) return { body, length, encoding, vary: varies };
  const compressed = encoding === 'br' ? brotliCompressSync(body, BROTLI) : gzipSync(body, GZIP);
  return { body: compressed, length: compressed.length, encoding, vary: varies };
}

export function createCompressor(options: CompressionOptions = DEFAULT_COMPRESSION): Compressor {
  return {
    send(req, res, status, given, body) {
      // Names in lower case, so that ours replace the caller's (yoga's are capitalized).
      const headers: OutgoingHttpHeaders = {};
      for (const name of Object.keys(given)) headers[name.toLowerCase()] = given[name];
      // An answer already encoded goes as it is.
      const type = headers['content-encoding'] === undefined ? headers['content-type'] : undefined;
      const out = encode(options, req.headers['accept-encoding'], type, [res.getHeader('vary'), headers.vary], body);
      headers['content-length'] = out.length;
      if (out.vary !== undefined) headers.vary = out.vary;
      if (out.encoding !== undefined) headers['content-encoding'] = out.encoding;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : out.body);
    },
  };
}

/**
 * The same for the answers yoga writes to node's response itself (gateway.ts hands it GET
 * requests and everything the fast path does not take). It acts only where whatwg-node's server
 * context carries that response (`res`): an answer yoga returns as a Response to the fast path
 * is compressed there, by send(). Most error answers are below the threshold and go out whole.
 */
export function useCompression(options: CompressionOptions): Plugin {
  return {
    onResponse({ request, response, serverContext, setResponse, fetchAPI }) {
      const res = (serverContext as { res?: unknown }).res;
      if (!(res instanceof ServerResponse) || !isCompressible(response.headers.get('content-type'))) return;
      if (response.headers.has('content-encoding')) return;
      const vary = [res.getHeader('vary'), response.headers.get('vary')];
      const accept = request.headers.get('accept-encoding') ?? undefined;
      // Not read when it will go whole anyway: yoga declares the length of what it wrote.
      const declared = Number(response.headers.get('content-length') ?? NaN);
      const small = Number.isInteger(declared) && declared < Math.max(1, options.minBytes);
      if (small || negotiate(accept, options.encodings) === undefined) {
        response.headers.set('vary', mergeVary(...vary, 'Accept-Encoding'));
        return;
      }
      return response.arrayBuffer().then((buffer) => {
        const body = Buffer.from(buffer);
        const out = encode(options, accept, response.headers.get('content-type'), vary, body);
        const headers = new fetchAPI.Headers(response.headers);
        headers.set('content-length', String(out.length));
        if (out.vary !== undefined) headers.set('vary', out.vary);
        if (out.encoding !== undefined) headers.set('content-encoding', out.encoding);
        setResponse(new fetchAPI.Response(out.body as string | Buffer<ArrayBuffer>, { status: response.status, statusText: response.statusText, headers }));
      });
    },
  };
}
